#pragma once
// GET /metrics: Prometheus text format. Figures only (destination names, counts), no personal
// data; still, which partners fail and how busy the gateway is are for its operators, so the
// scraper sends an operator's token.
#include "audit/audit_log.h"
#include "delivery/delivery_engine.h"
#include "http/connection_stats.h"
#include "http/message.h"
#include "http/request_metrics.h"
#include "http/transport_status.h"
#include "lookup/lookup_service.h"

namespace knutpunkt::http {

// knutpunkt_build_info{version="..."} 1: which build answers, for dashboards and alerts.
std::string build_info_metric();

class MetricsEndpoint {
 public:
  MetricsEndpoint(const delivery::DeliveryEngine& engine, const AuditLog& audit, const LookupService& lookups,
                  const ConnectionStats& connections, const RequestMetrics& requests, TransportStatus transport = {})
      : engine_(engine),
        audit_(audit),
        lookups_(lookups),
        connections_(connections),
        requests_(requests),
        transport_(transport) {}
  void handle(Reply reply) const;

 private:
  const delivery::DeliveryEngine& engine_;
  const AuditLog& audit_;
  const LookupService& lookups_;
  const ConnectionStats& connections_;
  const RequestMetrics& requests_;
  TransportStatus transport_;
};

}  // namespace knutpunkt::http
