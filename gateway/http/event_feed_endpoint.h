#pragma once
// GET /v1/events?after=<cursor>&limit=<n>: a case system pulls its own case events in a stable
// order. The cursor is opaque to clients (today the feed's sequence number).
#include "audit/audit_log.h"
#include "http/client_auth.h"
#include "http/message.h"
#include "store/store.h"

namespace knutpunkt::http {

inline constexpr int kDefaultFeedLimit = 100;
inline constexpr int kMaxFeedLimit = 1000;

class EventFeedEndpoint {
 public:
  EventFeedEndpoint(Store& store, AuditLog& audit, const ClientAuth& auth) : store_(store), audit_(audit), auth_(auth) {}
  void handle(Request&& request, Reply reply);

 private:
  Store& store_;
  AuditLog& audit_;
  const ClientAuth& auth_;
};

}  // namespace knutpunkt::http
