#pragma once
// GET /v1/events?after=&limit=: a case system pulls the case events routed to it
// (routing/event_feed.h). This edge reads the query and answers once the read is audited.
#include "http/exchange.h"
#include "routing/event_feed.h"

namespace knutpunkt::http {

class EventFeedEndpoint {
 public:
  explicit EventFeedEndpoint(const routing::EventFeed& feed) : feed_(feed) {}
  // Guard: case systems; each reads its own feed.
  void handle(Exchange exchange);

 private:
  const routing::EventFeed& feed_;
};

}  // namespace knutpunkt::http
