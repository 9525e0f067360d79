#include "routing/event_feed.h"

namespace knutpunkt::routing {

std::expected<FeedPage, StoreError> EventFeed::page(const std::string& client_id, std::int64_t after, int limit) const {
  auto events = store_.events_after(client_id, after, limit);
  if (!events) return std::unexpected(events.error());
  FeedPage out;
  out.page = {{"events", nlohmann::json::array()},
              {"next_cursor", std::to_string(events->empty() ? after : events->back().seq)},
              {"has_more", events->size() == static_cast<std::size_t>(limit)}};
  nlohmann::json ids = nlohmann::json::array();
  for (StoredEvent& e : *events) {
    ids.push_back(e.event_id);
    out.page["events"].push_back(std::move(e.envelope));
  }
  if (!ids.empty()) {
    out.write = AuditedWrite{"event_feed.read", {{"client", client_id}, {"after", after}, {"event_ids", ids}}, {}};
  }
  return out;
}

}  // namespace knutpunkt::routing
