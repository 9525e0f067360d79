#pragma once
// The auditors' API (role auditor; issue 6): search the exchange log, a case's or a person's
// timeline, log checks, the chain's status, and signed exports. Everything an auditor does here
// is itself audited (who searched for whom, which report, which export), because the log of
// the log is what keeps its readers honest.
//   GET  /v1/audit/records                 GET /v1/audit/reports, /v1/audit/reports/{name}
//   GET  /v1/audit/cases/{id}/timeline     GET /v1/audit/chain
//   GET  /v1/audit/persons/{id}/timeline   POST /v1/audit/exports, GET /v1/audit/exports/{id}/file|manifest
#include <boost/asio/thread_pool.hpp>
#include <filesystem>
#include <optional>
#include <string>

#include "audit/audit_log.h"
#include "audit_export/signing_key.h"
#include "audit_review/chain_monitor.h"
#include "config/gateway_config.h"
#include "http/client_auth.h"
#include "http/message.h"
#include "store/store.h"

namespace knutpunkt::http {

class AuditEndpoint {
 public:
  AuditEndpoint(Store& store, AuditLog& audit, const ClientAuth& auth, audit_review::ChainMonitor& chain,
                AuditConfig exports, const audit_export::SigningKey* signing_key);
  ~AuditEndpoint();

  void records(Request&& request, const RequestContext& context, Reply reply);
  void case_timeline(const std::string& case_id, Request&& request, const RequestContext& context, Reply reply);
  void person_timeline(const std::string& person, Request&& request, const RequestContext& context, Reply reply);
  void report_list(Request&& request, const RequestContext& context, Reply reply);
  void report(const std::string& name, Request&& request, const RequestContext& context, Reply reply);
  void chain(Request&& request, const RequestContext& context, Reply reply);
  void create_export(Request&& request, const RequestContext& context, Reply reply);
  // POST /v1/audit/retention {"before": date}: gallring now (role admin); audited.
  void retention(Request&& request, const RequestContext& context, Reply reply);
  void export_file(const std::string& export_id, bool manifest, Request&& request, const RequestContext& context,
                   Reply reply);

 private:
  // The auditor, or nullptr after an audited 401/403 ("audit.access_refused").
  const ClientConfig* require_auditor(const Request& request, const RequestContext& context, Reply& reply);
  // Appends `kind` with `body` (the actor added) and replies `answer` once durable.
  void audited_answer(const ClientConfig& auditor, const std::string& kind, nlohmann::json body, Response answer,
                      Reply reply);

  Store& store_;
  AuditLog& audit_;
  const ClientAuth& auth_;
  audit_review::ChainMonitor& chain_;
  AuditConfig exports_;
  const audit_export::SigningKey* signing_key_;  // nullptr: no exports, no retention
  boost::asio::thread_pool work_{1};  // reports and exports read much; they run off the server's threads
};

}  // namespace knutpunkt::http
