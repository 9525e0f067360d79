#pragma once
// The auditors' API (role auditor): search the exchange log, a case's or a person's
// timeline, log checks, the chain's status, and signed exports. Everything an auditor does here
// is itself audited (who searched for whom, which report, which export), because the log of
// the log is what keeps its readers honest.
//
// A search and a person's timeline are POSTs with their filters in a JSON body, though they only
// read: a personnummer in a URL is logged by every proxy on the way (http/personal_data_in_url.h).
//   POST /v1/audit/records/search          GET /v1/audit/reports, /v1/audit/reports/{name}
//   GET  /v1/audit/cases/{id}/timeline     GET /v1/audit/chain
//   POST /v1/audit/persons/timeline        POST /v1/audit/exports, GET /v1/audit/exports/{id}/file|manifest
//   POST /v1/audit/retention, /v1/audit/retention/{id}/approval (admins, four-eyes)
#include <boost/asio/thread_pool.hpp>
#include <filesystem>
#include <optional>
#include <string>

#include "audit/audit_log.h"
#include "audit_export/signing_key.h"
#include "audit_review/chain_monitor.h"
#include "audit_review/retention_approval.h"
#include "config/gateway_config.h"
#include "http/exchange.h"
#include "http/message.h"
#include "store/store.h"

namespace knutpunkt::http {

class AuditEndpoint {
 public:
  AuditEndpoint(Store& store, AuditLog& audit, audit_review::ChainMonitor& chain, AuditConfig exports,
                const audit_export::SigningKey* signing_key);
  ~AuditEndpoint();

  // Guard: auditors.
  // {"person", "case_id", "caseworker", "client", "partner", "operation", "outcome", "kind",
  //  "since", "until", "cursor", "limit"}: all optional; newest first, a page at a time.
  void search(Exchange exchange);
  void case_timeline(Exchange exchange);
  // {"person": personnummer or samordningsnummer}: the person's records, oldest first.
  void person_timeline(Exchange exchange);
  void report_list(Exchange exchange);
  void report(Exchange exchange);
  void chain(Exchange exchange);
  void create_export(Exchange exchange);
  void export_file(Exchange exchange, bool manifest);
  // Gallring outside the schedule, four-eyes (audit_review/retention_approval.h). Guard: admins.
  // POST /v1/audit/retention {"before": date}: records the request (202, its id and expiry).
  void retention_request(Exchange exchange);
  // POST /v1/audit/retention/{request_id}/approval: another admin approves and it runs.
  void retention_approval(Exchange exchange);

 private:
  // Appends `kind` with `body` (the actor added) and replies `answer` once durable.
  void audited_answer(const ClientConfig& auditor, const std::string& kind, nlohmann::json body, Response answer,
                      Reply reply);

  Store& store_;
  AuditLog& audit_;
  audit_review::ChainMonitor& chain_;
  AuditConfig exports_;
  const audit_export::SigningKey* signing_key_;  // nullptr: no exports, no retention
  std::optional<audit_review::RetentionApprovals> retention_;
  boost::asio::thread_pool work_{1};  // reports and exports read much; they run off the server's threads
};

}  // namespace knutpunkt::http
