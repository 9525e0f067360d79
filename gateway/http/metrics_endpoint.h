#pragma once
// GET /metrics: Prometheus text format. Figures only (destination names, counts), no personal
// data, so it is open to the scraper without a token; keep the gateway's port internal.
#include "audit/audit_log.h"
#include "delivery/delivery_engine.h"
#include "http/message.h"
#include "lookup/lookup_service.h"

namespace knutpunkt::http {

class MetricsEndpoint {
 public:
  MetricsEndpoint(const delivery::DeliveryEngine& engine, const AuditLog& audit, const LookupService& lookups)
      : engine_(engine), audit_(audit), lookups_(lookups) {}
  void handle(Reply reply) const;

 private:
  const delivery::DeliveryEngine& engine_;
  const AuditLog& audit_;
  const LookupService& lookups_;
};

}  // namespace knutpunkt::http
