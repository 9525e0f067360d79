#include "manual_handling/manual_queue.h"

#include "core/clock.h"

namespace knutpunkt {

nlohmann::json to_json(const ManualItem& item) {
  nlohmann::json out = {{"manual_item_id", item.item_id}, {"kind", item.kind},
                        {"reference", item.reference},    {"client_id", item.client_id},
                        {"case_id", item.case_id},        {"destination", item.destination},
                        {"reason", item.reason},          {"created_at", item.created_at},
                        {"status", item.status}};
  if (item.status == "resolved") {
    out["resolved_at"] = item.resolved_at;
    out["resolved_by"] = item.resolved_by;
    out["note"] = item.note;
  }
  return out;
}

std::expected<std::variant<UnknownCursor, ManualPage>, StoreError> ManualQueue::page(const std::string& reader,
                                                                                     const ManualPageQuery& q) const {
  std::string after_created_at;
  if (!q.after.empty()) {
    auto cursor = store_.manual_item(q.after);
    if (!cursor) return std::unexpected(cursor.error());
    if (!*cursor) return UnknownCursor{};
    after_created_at = (*cursor)->created_at;
  }
  auto items = store_.manual_items(q.status == "all" ? "" : q.status, after_created_at, q.after, q.limit);
  if (!items) return std::unexpected(items.error());
  ManualPage out;
  out.page = {{"items", nlohmann::json::array()}};
  for (const ManualItem& item : *items) out.page["items"].push_back(to_json(item));
  if (static_cast<int>(items->size()) == q.limit) out.page["next_cursor"] = items->back().item_id;
  out.write = {"manual_handling.read", {{"client", reader}, {"status", q.status}, {"items", items->size()}}, {}};
  return out;
}

std::expected<std::variant<NoSuchItem, AlreadyResolved, Resolution>, StoreError> ManualQueue::prepare_resolution(
    const std::string& item_id, const std::string& resolved_by, const std::string& note,
    std::chrono::system_clock::time_point now) const {
  auto item = store_.manual_item(item_id);
  if (!item) return std::unexpected(item.error());
  if (!*item) return NoSuchItem{};
  if ((*item)->status == "resolved") return AlreadyResolved{std::move(**item)};
  ManualItem resolved = std::move(**item);
  resolved.status = "resolved";
  resolved.resolved_at = format_utc(now);
  resolved.resolved_by = resolved_by;
  resolved.note = note;
  AuditedWrite write{
      "manual_handling.resolved",
      to_json(resolved),
      {store_write::ResolveManualItem{resolved.item_id, resolved.resolved_at, resolved.resolved_by, note}}};
  return Resolution{std::move(resolved), std::move(write)};
}

}  // namespace knutpunkt
