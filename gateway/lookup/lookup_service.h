#pragma once
// One lookup: ask every wanted source (the adapter decides whether in one exchange or one per
// source), each under its own deadline, gather the
// outcomes under the whole answer's deadline, stamp the case-event envelopes, and make the audit
// record durable before anyone sees the answer. The service never names a partner: adapters
// are looked up by their configured name.
#include <chrono>
#include <expected>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "audit/audit_log.h"
#include "authorization/exchange_authorizer.h"
#include "core/adapter.h"
#include "core/failure.h"
#include "core/io_context_fwd.h"
#include "lookup/contract_retirement.h"
#include "lookup/lookup_metrics.h"

namespace knutpunkt {

struct LookupAnswer {
  LookupQuery query;
  std::string adapter;
  policy::LegalBasis legal_basis = policy::LegalBasis::law;
  std::map<std::string, authorization::ConsentGrant> consents;  // by source
  std::vector<SourceOutcome> outcomes;                          // in the order the sources were asked
  bool protected_identity = false;
  AuditReceipt audit;
  bool complete() const;
};

// A LookupService Failure's code: "audit_unavailable".

class LookupService {
 public:
  LookupService(boost::asio::io_context& io, AuditLog& audit, std::chrono::milliseconds lookup_deadline);

  void add_adapter(std::string name, std::unique_ptr<LookupAdapter> adapter);
  LookupAdapter* adapter(const std::string& name) const;
  std::vector<std::string> adapter_names() const;
  const LookupMetrics& metrics() const { return metrics_; }
  AdapterContracts contract_versions() const;

  using Done = std::function<void(std::expected<LookupAnswer, Failure>)>;
  // Only an authorized lookup is run (authorization/exchange_authorizer.h). Calls `done` once, on
  // an io thread, after the audit record is durable (or with audit_unavailable: then no data may
  // be released).
  // A person a partner flags here for the first time is remembered in the same transaction.
  void lookup(authorization::AuthorizedLookup authorized, Done done);

 private:
  boost::asio::io_context& io_;
  AuditLog& audit_;
  std::chrono::milliseconds lookup_deadline_;
  std::map<std::string, std::unique_ptr<LookupAdapter>> adapters_;
  LookupMetrics metrics_;
};

// The audit record bodies, kept here so what an auditor sees is defined in one place.
nlohmann::json lookup_audit_body(const LookupAnswer& answer);

}  // namespace knutpunkt
