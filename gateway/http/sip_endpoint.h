#pragma once
// The case systems' SIP API (issue 5): /v1/sip-plans and below. The coordinating case system
// starts a plan (held to the policy step: operation "sip", purpose, case and household), invites
// and removes participants, records replies it got outside knutpunkt, schedules the meeting,
// establishes, revises and follows up the plan, and closes it; it reads the plan and any earlier
// version. Changes take If-Match (the version last read; ETag carries it). Every change and every
// read is audited; refusals too.
//
//   POST /v1/sip-plans                                      initiate (201)
//   GET  /v1/sip-plans/{id}                                 the plan (ETag: "version")
//   GET  /v1/sip-plans/{id}/versions/{n}                    an earlier version
//   POST /v1/sip-plans/{id}/participants                    invite
//   POST /v1/sip-plans/{id}/participants/{pid}/removal      remove
//   POST /v1/sip-plans/{id}/replies                         a participant's reply
//   POST /v1/sip-plans/{id}/meeting                         schedule or move the meeting
//   POST /v1/sip-plans/{id}/establishment                   establish the plan
//   POST /v1/sip-plans/{id}/revisions                       revise it
//   POST /v1/sip-plans/{id}/followups                       record a follow-up
//   POST /v1/sip-plans/{id}/closure                         close it
// A consent is withdrawn in the consent registry (DELETE /v1/consents/{consent_id}). The routes
// are entries of the gateway's route table (router.cpp), which answers 404 and 405 itself.
#include <array>
#include <optional>
#include <string>

#include "audit/audit_log.h"
#include "authorization/exchange_authorizer.h"
#include "http/client_auth.h"
#include "http/message.h"
#include "http/problem.h"
#include "sip_coordination/sip_coordinator.h"

namespace knutpunkt::http {

// The status a SIP failure is answered with (also for a participant's message, report_endpoint).
unsigned failure_status(FailureKind kind);

// A request body read into a change, or every problem found, each naming its field.
struct SipInitiationParse {
  sip_coordination::SipInitiation initiation;
  std::string case_id;
  std::string purpose;
  Caseworker caseworker;
  std::vector<InvalidParam> invalid;
};
SipInitiationParse parse_sip_initiation(const nlohmann::json& body, std::chrono::year_month_day today);

// `action`: participants, removal, replies, meeting, establishment, revisions, followups, closure.
struct SipChangeParse {
  std::optional<sip_coordination::SipChange> change;
  Caseworker caseworker;
  std::vector<InvalidParam> invalid;
};
SipChangeParse parse_sip_change(const std::string& action, const std::string& participant_id, const nlohmann::json& body);

class SipEndpoint {
 public:
  SipEndpoint(sip_coordination::SipCoordinator& coordinator, const authorization::ExchangeAuthorizer& authorizer,
              AuditLog& audit, const ClientAuth& auth)
      : coordinator_(coordinator), authorizer_(authorizer), audit_(audit), auth_(auth) {}

  // The changes that are POSTs to /v1/sip-plans/{plan_id}/<action>.
  static constexpr std::array<const char*, 7> kActions = {"participants", "replies",   "meeting", "establishment",
                                                          "revisions",    "followups", "closure"};

  // The routes above (router.cpp). Each first holds the caller to a case system granted "sip".
  void initiate(Request&& request, const RequestContext& context, Reply reply);
  // `version`: the path's {version} text, or nullopt for the current plan.
  void read(const std::string& plan_id, std::optional<std::string> version, Request&& request,
            const RequestContext& context, Reply reply);
  // `action`: one of kActions, or "removal" (with `participant_id`).
  void change(const std::string& plan_id, const std::string& action, const std::string& participant_id,
              Request&& request, const RequestContext& context, Reply reply);

 private:
  // The calling case system when it may coordinate SIP plans; otherwise the refusal is audited
  // and answered, and nullptr returned.
  const ClientConfig* sip_client(const Request& request, nlohmann::json& audit_context, Reply& reply) const;
  void initiate(const ClientConfig& client, Request&& request, nlohmann::json audit_context, Reply reply);
  void read(const ClientConfig& client, const std::string& plan_id, std::optional<int> version,
            nlohmann::json audit_context, Reply reply);
  void change(const ClientConfig& client, const std::string& plan_id, const std::string& action,
              const std::string& participant_id, Request&& request, nlohmann::json audit_context, Reply reply);

  sip_coordination::SipCoordinator& coordinator_;
  const authorization::ExchangeAuthorizer& authorizer_;
  AuditLog& audit_;
  const ClientAuth& auth_;
};

}  // namespace knutpunkt::http
