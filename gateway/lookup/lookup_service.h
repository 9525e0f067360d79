#pragma once
// One lookup: ask every wanted source concurrently, each under its own deadline, gather the
// outcomes under the whole answer's deadline, stamp the case-event envelopes, and make the audit
// record durable before anyone sees the answer. The service never names a partner: adapters
// are looked up by their configured name.
#include "audit/audit_log.h"
#include "core/adapter.h"

#include <boost/asio/io_context.hpp>

#include <chrono>
#include <expected>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace knutpunkt {

struct LookupAnswer {
  LookupQuery query;
  std::string adapter;
  std::vector<SourceOutcome> outcomes;  // in the order the sources were asked
  bool protected_identity = false;
  AuditReceipt audit;
  bool complete() const;
};

struct LookupFailure {
  std::string code;  // "audit_unavailable"
  std::string message;
};

class LookupService {
 public:
  // `store` remembers persons a partner flagged as protected, so later lookups are protected
  // even when, or before, the partner says so.
  LookupService(boost::asio::io_context& io, AuditLog& audit, Store& store, std::chrono::milliseconds lookup_deadline);

  void add_adapter(std::string name, std::unique_ptr<LookupAdapter> adapter);
  LookupAdapter* adapter(const std::string& name) const;
  std::vector<std::string> adapter_names() const;

  using Done = std::function<void(std::expected<LookupAnswer, LookupFailure>)>;
  // `sources` must already be validated against the adapter's sources(). Calls `done` once, after
  // the audit record is durable (or with audit_unavailable, in which case no data may be released).
  void lookup(LookupQuery query, const std::string& adapter_name, std::vector<std::string> sources, Done done);

 private:
  boost::asio::io_context& io_;
  AuditLog& audit_;
  Store& store_;
  std::chrono::milliseconds lookup_deadline_;
  std::map<std::string, std::unique_ptr<LookupAdapter>> adapters_;
};

// The audit record bodies, kept here so what an auditor sees is defined in one place.
nlohmann::json lookup_audit_body(const LookupAnswer& answer);

}  // namespace knutpunkt
