#pragma once
// What the simulated case system has received: request counters and the unique events, deduplicated
// by event_id as a real receiver must (webhook delivery is at-least-once).
#include <cstdint>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "counters.h"

namespace knutpunkt::case_system_simulator {

// The counters of GET /_recv/stats, named as they are there.
enum class Counted {
  received,
  duplicates,
  bad_signatures,
  failed_by_fault,
  lost_replies,  // recorded, then the connection was reset
  invalid,
  idempotency_key_conflicts,
};

class ReceivedEvents {
 public:
  enum class Outcome { first, duplicate };

  void count(Counted counted) { counters_.add(counted); }

  // `envelope` must carry a string event_id. The Idempotency-Key is remembered too: a key seen
  // before with another event_id means the gateway reused an outbox id, which is counted.
  Outcome accept(const nlohmann::json& envelope, const std::string& idempotency_key);

  nlohmann::json stats() const;
  nlohmann::json events() const;
  void reset();

 private:
  simulator_kit::Counters<Counted, 7> counters_{{"received", "duplicates", "bad_signatures", "failed_by_fault",
                                                 "lost_replies", "invalid", "idempotency_key_conflicts"}};
  mutable std::mutex mutex_;
  std::map<std::string, std::size_t> event_index_;  // event_id -> position in events_
  std::vector<nlohmann::json> events_;
  std::map<std::string, std::string> event_by_idempotency_key_;
  std::map<std::string, std::int64_t> by_type_;
  std::map<std::string, std::vector<std::string>> by_correlation_;
};

}  // namespace knutpunkt::case_system_simulator
