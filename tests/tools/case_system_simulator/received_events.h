#pragma once
// What the simulated case system has received: request counters and the unique events, deduplicated
// by event_id as a real receiver must (webhook delivery is at-least-once).
#include <cstdint>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace knutpunkt::case_system_simulator {

class ReceivedEvents {
 public:
  enum class Outcome { first, duplicate };

  void count_request();
  void count_bad_signature();
  void count_fault();
  void count_lost_reply();
  void count_invalid();

  // `envelope` must carry a string event_id. The Idempotency-Key is remembered too: a key seen
  // before with another event_id means the gateway reused an outbox id, which is counted.
  Outcome accept(const nlohmann::json& envelope, const std::string& idempotency_key);

  nlohmann::json stats() const;
  nlohmann::json events() const;
  void reset();

 private:
  mutable std::mutex mutex_;
  std::int64_t received_ = 0;
  std::int64_t duplicates_ = 0;
  std::int64_t bad_signatures_ = 0;
  std::int64_t failed_by_fault_ = 0;
  std::int64_t lost_replies_ = 0;  // recorded, then the connection was reset
  std::int64_t invalid_ = 0;
  std::int64_t idempotency_key_conflicts_ = 0;
  std::map<std::string, std::size_t> event_index_;  // event_id -> position in events_
  std::vector<nlohmann::json> events_;
  std::map<std::string, std::string> event_by_idempotency_key_;
  std::map<std::string, std::int64_t> by_type_;
  std::map<std::string, std::vector<std::string>> by_correlation_;
};

}  // namespace knutpunkt::case_system_simulator
