#pragma once
// What this region's system knows: every message in arrival order, and per plan the latest
// version it received, removals, reminders, closure and a consent withdrawal. Each
// Idempotency-Key takes effect once; a repeat gets the first answer. Shared by the server's
// worker threads.
#include <cstdint>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "counters.h"

namespace knutpunkt::sip_region_simulator {

enum class Counted {
  received,         // requests on the wire endpoints, faults and refusals included
  accepted,         // messages that took effect
  duplicates,       // repeats of an Idempotency-Key, answered as the first time
  key_mismatches,   // a known key with another body (422)
  invalid,          // refused 400
  unauthorized,     // wrong or missing bearer token (401)
  failed_by_fault,  // answered by a fault without effect
  lost_replies,     // took effect, then the connection was reset
  kCount
};

struct Answer {
  int status = 0;
  nlohmann::json body;
  bool duplicate = false;
  bool new_invitation = false;  // a first KALLELSE for this plan and participant: reply to it
};

class RegionRegister {
 public:
  // A checked message (wire_check.h) under its Idempotency-Key; `raw` is the body as received,
  // which a repeat must match byte for byte.
  Answer accept(const std::string& key, const std::string& raw, const nlohmann::json& message);

  // Replies and proposals this region sent about a plan, as the control API reports them.
  void note_sent(const std::string& plan_id, nlohmann::json sent);

  // [{seq, type, gateway_type, plan_id, plan_version, recipient, idempotency_key, received_at,
  //   after_consent_withdrawn, body}] in arrival order; only one plan's when `plan_id` is set.
  nlohmann::json received(const std::optional<std::string>& plan_id) const;
  std::optional<nlohmann::json> plan_view(const std::string& plan_id) const;

  void count(Counted counted) { counters_.add(counted); }
  nlohmann::json stats() const;
  void reset();

 private:
  struct PlanState {
    nlohmann::json plan;  // the latest plan received (region's wire form), null before any
    std::int64_t version = 0;
    bool consent_withdrawn = false;
    std::string consent_withdrawn_at;
    std::int64_t content_after_withdrawal = 0;
    bool closed = false;
    std::string close_reason;
    std::vector<std::string> followup_reminders;  // dates, in arrival order
    std::set<std::string> removed;                // participant ids
    std::set<std::string> invited;                // participant ids that got a KALLELSE
    nlohmann::json sent = nlohmann::json::array();
  };
  struct Remembered {
    std::string raw;
    Answer answer;
  };

  mutable std::mutex mutex_;
  std::map<std::string, Remembered> by_key_;
  std::vector<nlohmann::json> messages_;
  std::map<std::string, PlanState> plans_;
  std::int64_t next_reference_ = 1;
  simulator_kit::Counters<Counted, static_cast<std::size_t>(Counted::kCount)> counters_{
      {"received", "accepted", "duplicates", "key_mismatches", "invalid", "unauthorized", "failed_by_fault",
       "lost_replies"}};
};

}  // namespace knutpunkt::sip_region_simulator
