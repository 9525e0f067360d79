#include "received_events.h"

namespace knutpunkt::case_system_simulator {

ReceivedEvents::Outcome ReceivedEvents::accept(const nlohmann::json& envelope, const std::string& idempotency_key) {
  const auto event_id = envelope.at("event_id").get<std::string>();
  std::lock_guard lock(mutex_);
  if (!idempotency_key.empty()) {
    const auto [known, inserted] = event_by_idempotency_key_.emplace(idempotency_key, event_id);
    if (!inserted && known->second != event_id) counters_.add(Counted::idempotency_key_conflicts);
  }
  if (event_index_.contains(event_id)) {
    counters_.add(Counted::duplicates);
    return Outcome::duplicate;
  }
  event_index_.emplace(event_id, events_.size());
  events_.push_back(envelope);
  const std::string type = envelope.value("type", "");
  ++by_type_[type];
  if (envelope.contains("correlation_id") && envelope["correlation_id"].is_string())
    by_correlation_[envelope["correlation_id"].get<std::string>()].push_back(type);
  return Outcome::first;
}

nlohmann::json ReceivedEvents::stats() const {
  std::lock_guard lock(mutex_);
  nlohmann::json by_type = nlohmann::json::object();
  for (const auto& [type, count] : by_type_) by_type[type] = count;
  nlohmann::json by_correlation = nlohmann::json::object();
  for (const auto& [correlation, types] : by_correlation_) by_correlation[correlation] = types;
  nlohmann::json out{{"unique_events", static_cast<std::int64_t>(events_.size())},
                     {"by_type", by_type},
                     {"by_correlation", by_correlation}};
  counters_.write_to(out);
  return out;
}

nlohmann::json ReceivedEvents::events() const {
  std::lock_guard lock(mutex_);
  return nlohmann::json(events_);
}

void ReceivedEvents::reset() {
  std::lock_guard lock(mutex_);
  counters_.reset();
  event_index_.clear();
  events_.clear();
  event_by_idempotency_key_.clear();
  by_type_.clear();
  by_correlation_.clear();
}

}  // namespace knutpunkt::case_system_simulator
