#include "http/report_endpoint.h"

#include "http/audited_refusal.h"
#include "http/problem.h"
#include "http/request_fields.h"
#include "http/sip_endpoint.h"
#include "log/log.h"

namespace knutpunkt::http {

namespace bhttp = boost::beast::http;

ReportEndpoint::ReportEndpoint(ReferralService& referrals, PersonNotificationService& notifications, AuditLog& audit,
                               const ClientAuth& auth, std::map<std::string, const InboundAdapter*> adapters,
                               sip_coordination::SipCoordinator* sip)
    : referrals_(referrals),
      notifications_(notifications),
      audit_(audit),
      auth_(auth),
      adapters_(std::move(adapters)),
      sip_(sip) {}

void ReportEndpoint::handle(const std::string& adapter_name, Request&& request, const RequestContext& context,
                            Reply reply) {
  nlohmann::json audit_context = {{"remote_address", context.remote_address}, {"partner", adapter_name}};
  const auto refuse = [&](Problem problem) {
    refuse_audited(audit_, "referral.report_refused", std::move(problem), audit_context, std::move(reply));
  };
  const ClientConfig* client = auth_.authenticate(to_std(request[bhttp::field::authorization]));
  if (!client) {
    return refuse({401, "unauthenticated", "Authentication required",
                   "a valid bearer token is required in the Authorization header", {}, {}});
  }
  audit_context["client"] = client->id;
  // Each partner speaks only for itself: Jobbtorg Söder cannot report on Jobbtorg City's referrals.
  if (!client->roles.contains(kRolePartner) || client->partner_adapter != adapter_name) {
    return refuse({403, "role_not_allowed", "Not allowed", "this client may not send reports for this partner", {}, {}});
  }
  const auto adapter = adapters_.find(adapter_name);
  if (adapter == adapters_.end()) {
    return refuse({404, "unknown_adapter", "No such partner", "no partner adapter accepting reports has this name", {}, {}});
  }
  if (!is_json(request)) {
    return refuse({415, "unsupported_media_type", "Unsupported media type", "the request body must be application/json", {}, {}});
  }
  auto report = adapter->second->parse_report(request.body());
  if (!report) {
    const auto& e = report.error();
    if (e.code == "too_large") return refuse({413, "body_too_large", "Report too large", e.message, {}, {}});
    return refuse({400, "invalid_report", "Invalid report", e.message, {{e.field, e.code, e.message}}, {}});
  }
  audit_context["partner_message_id"] = report->partner_message_id;
  if (!report->plan_id.empty()) return participant_message(adapter_name, std::move(*report), audit_context, std::move(reply));
  if (report->referral_id.empty()) return notification(adapter_name, std::move(*report), audit_context, std::move(reply));
  audit_context["referral_id"] = report->referral_id;
  const std::string message_id = report->partner_message_id;
  const std::string referral_id = report->referral_id;
  referrals_.accept_report(
      adapter_name, std::move(*report),
      [this, reply, audit_context, message_id, referral_id](std::expected<ReportOutcome, Failure> outcome) mutable {
        if (!outcome) {
          const std::string& code = outcome.error().code;
          if (code == "unknown_referral") {
            return refuse_audited(audit_, "referral.report_refused",
                                  {404, code, "Unknown referral", outcome.error().message,
                                   {{"/anvisningsId", "unknown", "names no referral sent to this partner"}}, {}},
                                  audit_context, std::move(reply));
          }
          if (code == "duplicate_in_flight") {
            return refuse_audited(audit_, "referral.report_refused",
                                  {409, code, "Report in progress", outcome.error().message, {}, {}}, audit_context,
                                  std::move(reply));
          }
          log::error("referral.report_failed", {{"partner_message_id", message_id}, {"error", code}});
          return reply(make_problem_response({503, code, "Not stored", "the report was not stored; send it again", {}, {}}));
        }
        if (outcome->duplicate) {
          log::info("referral.report_duplicate", {{"partner_message_id", message_id}, {"referral_id", referral_id}});
          return reply(make_json_response(200, {{"duplicate", true}, {"status", "already_received"}}));
        }
        log::info("referral.report_received",
                  {{"partner_message_id", message_id}, {"referral_id", referral_id}, {"events", outcome->event_ids.size()}});
        reply(make_json_response(202, {{"status", "accepted"}, {"event_ids", outcome->event_ids}}));
      });
}

void ReportEndpoint::notification(const std::string& adapter_name, InboundReport report, nlohmann::json audit_context,
                                  Reply reply) {
  const std::string message_id = report.partner_message_id;
  notifications_.accept(
      adapter_name, std::move(report),
      [this, reply, audit_context, message_id](std::expected<NotificationOutcome, Failure> outcome) mutable {
        if (!outcome) {
          const std::string& code = outcome.error().code;
          if (code == "duplicate_in_flight") {
            return refuse_audited(audit_, "partner.notification_refused",
                                  {409, code, "Notification in progress", outcome.error().message, {}, {}},
                                  audit_context, std::move(reply));
          }
          log::error("partner.notification_failed", {{"partner_message_id", message_id}, {"error", code}});
          return reply(make_problem_response({503, code, "Not stored", "the notification was not stored; send it again", {}, {}}));
        }
        if (outcome->duplicate) {
          log::info("partner.notification_duplicate", {{"partner_message_id", message_id}});
          return reply(make_json_response(200, {{"duplicate", true}, {"status", "already_received"}}));
        }
        log::info("partner.notification_received",
                  {{"partner_message_id", message_id}, {"cases", outcome->cases}, {"events", outcome->event_ids.size()}});
        reply(make_json_response(202, {{"status", "accepted"}, {"event_ids", outcome->event_ids}}));
      });
}

void ReportEndpoint::participant_message(const std::string& adapter_name, InboundReport report,
                                         nlohmann::json audit_context, Reply reply) {
  audit_context["plan_id"] = report.plan_id;
  if (sip_ == nullptr) {
    return refuse_audited(audit_, "sip.participant_message_refused",
                          {404, "unknown_plan", "Unknown plan", "this gateway coordinates no SIP plans", {}, {}},
                          audit_context, std::move(reply));
  }
  const std::string message_id = report.partner_message_id;
  sip_->accept_participant_message(
      adapter_name, std::move(report),
      [this, reply, audit_context, message_id](
          std::expected<sip_coordination::SipCoordinator::ParticipantMessageOutcome, Failure> outcome) mutable {
        if (!outcome) {
          const auto& f = outcome.error();
          const unsigned status = failure_status(f.kind);
          std::vector<InvalidParam> invalid;
          if (!f.field.empty()) invalid.push_back({f.field, f.code, f.message});
          Response response =
              make_problem_response({status, f.code, "Not accepted", f.message, std::move(invalid), {}});
          if (status == 503) {
            // "Not now": the partner sends it again.
            response.set(bhttp::field::retry_after, "1");
            log::warn("sip.participant_message_deferred", {{"partner_message_id", message_id}, {"error", f.code}});
            return reply(std::move(response));
          }
          audit_context["status"] = status;
          audit_context["code"] = f.code;
          audit_.append("sip.participant_message_refused", audit_context,
                        [reply, response = std::move(response)](std::expected<AuditReceipt, StoreError> receipt) mutable {
                          if (!receipt) {
                            return reply(make_problem_response(
                                {503, "audit_unavailable", "Audit log unavailable", "send it again", {}, {}}));
                          }
                          reply(std::move(response));
                        });
          return;
        }
        if (outcome->duplicate) {
          log::info("sip.participant_message_duplicate", {{"partner_message_id", message_id}});
          return reply(make_json_response(200, {{"duplicate", true}, {"status", "already_received"}}));
        }
        log::info("sip.participant_message_received",
                  {{"partner_message_id", message_id}, {"events", outcome->event_ids.size()}});
        reply(make_json_response(202, {{"status", "accepted"}, {"event_ids", outcome->event_ids}}));
      });
}

}  // namespace knutpunkt::http
