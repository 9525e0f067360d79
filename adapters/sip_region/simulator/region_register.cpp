#include "region_register.h"

#include "core/clock.h"
#include "problem.h"
#include "wire_check.h"

namespace knutpunkt::sip_region_simulator {

using nlohmann::json;

Answer RegionRegister::accept(const std::string& key, const std::string& raw, const json& message) {
  std::lock_guard lock(mutex_);
  if (auto known = by_key_.find(key); known != by_key_.end()) {
    if (known->second.raw != raw) {
      counters_.add(Counted::key_mismatches);
      return Answer{422,
                    simulator_kit::problem(422, "Idempotency-Key reused",
                                           "the key was first used for another message"),
                    false, false};
    }
    counters_.add(Counted::duplicates);
    Answer repeat = known->second.answer;
    repeat.duplicate = true;
    repeat.new_invitation = false;
    return repeat;
  }

  const std::string typ = message["meddelandetyp"].get<std::string>();
  const std::string plan_id = message["planId"].get<std::string>();
  const std::int64_t version = message["planversion"].get<std::int64_t>();
  const std::string recipient = message["mottagare"]["deltagarId"].get<std::string>();
  PlanState& state = plans_[plan_id];
  const bool carries_plan = message.contains("plan");

  bool applied = true;
  bool new_invitation = false;
  if (carries_plan && state.consent_withdrawn) {
    // Received, but a real system would not use content after the consent is gone; counted so a
    // test sees that the gateway sent it at all.
    ++state.content_after_withdrawal;
    applied = false;
  } else if (carries_plan) {
    // Versions apply in order; an older one (a late retry) is received but changes nothing.
    applied = version > state.version;
    if (applied) {
      state.plan = message["plan"];
      state.version = version;
    }
  }
  if (typ == "KALLELSE") {
    state.removed.erase(recipient);
    new_invitation = state.invited.insert(recipient).second;
  } else if (typ == "DELTAGARE_BORTTAGEN") {
    state.removed.insert(recipient);
    state.invited.erase(recipient);
  } else if (typ == "SAMTYCKE_ATERKALLAT") {
    state.consent_withdrawn = true;
    state.consent_withdrawn_at = message["skapad"].get<std::string>();
  } else if (typ == "PLAN_AVSLUTAD") {
    state.closed = true;
    state.close_reason = message["orsak"].get<std::string>();
  } else if (typ == "UPPFOLJNING_FORFALLER") {
    state.followup_reminders.push_back(message["uppfoljningsdatum"].get<std::string>());
  }

  messages_.push_back(json{{"seq", messages_.size() + 1},
                           {"type", typ},
                           {"gateway_type", gateway_type(typ)},
                           {"plan_id", plan_id},
                           {"plan_version", version},
                           {"recipient", message["mottagare"]},
                           {"idempotency_key", key},
                           {"received_at", now_utc()},
                           {"after_consent_withdrawn", carries_plan && !applied && state.consent_withdrawn},
                           {"body", message}});
  counters_.add(Counted::accepted);

  json reply = {{"mottagen", true},
                {"meddelandeId", message["meddelandeId"]},
                {"planId", plan_id},
                {"planversion", version},
                {"regionReferens", "SIP-R-" + std::to_string(next_reference_++)}};
  if (carries_plan) {
    reply["tillampad"] = applied;
    reply["aktuellVersion"] = state.version;
  }
  Answer answer{typ == "PLANUPPDATERING" ? 200 : 201, std::move(reply), false, new_invitation};
  by_key_[key] = Remembered{raw, answer};
  return answer;
}

void RegionRegister::note_sent(const std::string& plan_id, json sent) {
  std::lock_guard lock(mutex_);
  plans_[plan_id].sent.push_back(std::move(sent));
}

json RegionRegister::received(const std::optional<std::string>& plan_id) const {
  std::lock_guard lock(mutex_);
  json out = json::array();
  for (const auto& message : messages_) {
    if (!plan_id || message["plan_id"] == *plan_id) out.push_back(message);
  }
  return out;
}

std::optional<json> RegionRegister::plan_view(const std::string& plan_id) const {
  std::lock_guard lock(mutex_);
  auto it = plans_.find(plan_id);
  if (it == plans_.end()) return std::nullopt;
  const PlanState& s = it->second;
  json messages = json::array();
  for (const auto& message : messages_) {
    if (message["plan_id"] == plan_id) {
      messages.push_back(json{{"seq", message["seq"]},
                              {"type", message["type"]},
                              {"plan_version", message["plan_version"]},
                              {"recipient", message["recipient"]["deltagarId"]}});
    }
  }
  return json{{"plan_id", plan_id},
              {"version", s.version == 0 ? json(nullptr) : json(s.version)},
              {"plan", s.plan},
              {"consent_withdrawn", s.consent_withdrawn},
              {"consent_withdrawn_at", s.consent_withdrawn ? json(s.consent_withdrawn_at) : json(nullptr)},
              {"content_after_withdrawal", s.content_after_withdrawal},
              {"closed", s.closed},
              {"close_reason", s.closed ? json(s.close_reason) : json(nullptr)},
              {"followup_reminders", s.followup_reminders},
              {"invited", s.invited},
              {"removed", s.removed},
              {"messages", std::move(messages)},
              {"sent", s.sent}};
}

json RegionRegister::stats() const {
  json out = json::object();
  counters_.write_to(out);
  std::lock_guard lock(mutex_);
  out["plans"] = plans_.size();
  out["messages"] = messages_.size();
  return out;
}

void RegionRegister::reset() {
  std::lock_guard lock(mutex_);
  by_key_.clear();
  messages_.clear();
  plans_.clear();
  next_reference_ = 1;
  counters_.reset();
}

}  // namespace knutpunkt::sip_region_simulator
