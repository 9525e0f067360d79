#include "delivery/outbox_view.h"

#include "core/clock.h"

namespace knutpunkt::delivery {

namespace {

std::string iso_ms(std::int64_t ms) {
  if (ms == 0) return {};
  return format_utc(std::chrono::system_clock::time_point{std::chrono::milliseconds{ms}});
}

}  // namespace

nlohmann::json summary(const OutboxMessage& m) {
  nlohmann::json out = {{"message_id", m.id},
                        {"destination", m.destination},
                        {"type", m.type},
                        {"ordering_key", m.ordering_key},
                        {"client_id", m.client_id},
                        {"case_id", m.case_id},
                        {"status", std::string(to_string(m.status))},
                        {"attempts", m.attempts},
                        {"created_at", iso_ms(m.created_at_ms)},
                        {"last_error", m.last_error}};
  if (m.status == MessageStatus::pending && m.next_attempt_at_ms) out["next_attempt_at"] = iso_ms(m.next_attempt_at_ms);
  if (m.status == MessageStatus::delivered && m.delivered_at_ms) out["delivered_at"] = iso_ms(m.delivered_at_ms);
  if (m.status == MessageStatus::dead && m.dead_at_ms) out["dead_lettered_at"] = iso_ms(m.dead_at_ms);
  return out;
}

std::expected<std::optional<OutboxReading>, StoreError> OutboxView::message(const std::string& id,
                                                                            const std::string& reader) const {
  auto m = store_.message(id);
  if (!m) return std::unexpected(m.error());
  if (!*m) return std::nullopt;
  auto attempts = store_.attempts(id);
  if (!attempts) return std::unexpected(attempts.error());
  nlohmann::json out = summary(**m);
  auto& list = out["attempt_history"] = nlohmann::json::array();
  for (const DeliveryAttempt& a : *attempts) {
    list.push_back({{"attempt", a.number},
                    {"started_at", iso_ms(a.started_at_ms)},
                    {"endpoint", a.endpoint},
                    {"http_status", a.http_status},
                    {"latency_ms", a.latency_ms},
                    {"outcome", a.outcome},
                    {"error", a.error}});
  }
  if (auto waiting = engine_.waiting_for(id)) out["waiting_for"] = *waiting;
  AuditedWrite write{"operator.message_read", {{"message_id", id}, {"case_id", (*m)->case_id}, {"operator", reader}}, {}};
  return OutboxReading{std::move(out), std::move(write)};
}

std::expected<OutboxReading, StoreError> OutboxView::dead_letters(const DeadLetterQuery& q,
                                                                  const std::string& reader) const {
  auto list = store_.dead_letters(q);
  if (!list) return std::unexpected(list.error());
  nlohmann::json out = {{"dead_letters", nlohmann::json::array()},
                        {"next_cursor", std::to_string(list->empty() ? q.after_position : list->back().position)},
                        {"has_more", list->size() == static_cast<std::size_t>(q.limit)}};
  for (const OutboxMessage& m : *list) out["dead_letters"].push_back(summary(m));
  AuditedWrite write{"operator.dead_letters_read", {{"results", list->size()}, {"operator", reader}}, {}};
  return OutboxReading{std::move(out), std::move(write)};
}

}  // namespace knutpunkt::delivery
