#pragma once
// A case system's event feed: the case events routed to it, in order, read page by page with a
// cursor. Events carry personal data, so a page that holds any is read under an audit record
// (which client read which events); an empty poll is not worth a record.
#include <cstdint>
#include <expected>
#include <optional>
#include <string>

#include "audit/audited_write.h"
#include "store/store.h"

namespace knutpunkt::routing {

inline constexpr int kDefaultFeedLimit = 100;
inline constexpr int kMaxFeedLimit = 1000;

struct FeedPage {
  nlohmann::json page;                // {"events", "next_cursor", "has_more"}
  std::optional<AuditedWrite> write;  // event_feed.read, when the page holds events
};

class EventFeed {
 public:
  explicit EventFeed(Store& store) : store_(store) {}

  // Events after cursor `after`, at most `limit` (1..kMaxFeedLimit).
  std::expected<FeedPage, StoreError> page(const std::string& client_id, std::int64_t after, int limit) const;

 private:
  Store& store_;
};

}  // namespace knutpunkt::routing
