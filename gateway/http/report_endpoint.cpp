#include "http/report_endpoint.h"

#include "http/problem.h"
#include "http/request_fields.h"
#include "log/log.h"

namespace knutpunkt::http {

namespace bhttp = boost::beast::http;

ReportEndpoint::ReportEndpoint(ReferralService& referrals, PersonNotificationService& notifications,
                               std::map<std::string, const InboundAdapter*> adapters,
                               sip_coordination::SipCoordinator* sip)
    : referrals_(referrals), notifications_(notifications), adapters_(std::move(adapters)), sip_(sip) {}

void ReportEndpoint::handle(Exchange exchange) {
  const std::string& adapter_name = exchange.param("adapter");
  exchange.audit_context()["partner"] = adapter_name;
  const auto adapter = adapters_.find(adapter_name);
  if (adapter == adapters_.end()) {
    return exchange.refuse({404, "unknown_adapter", "No such partner", "no partner adapter accepting reports has this name", {}, {}});
  }
  if (!is_json(exchange.request())) {
    return exchange.refuse({415, "unsupported_media_type", "Unsupported media type", "the request body must be application/json", {}, {}});
  }
  auto report = adapter->second->parse_report(exchange.request().body());
  if (!report) {
    const auto& e = report.error();
    if (e.code == "too_large") return exchange.refuse({413, "body_too_large", "Report too large", e.message, {}, {}});
    return exchange.refuse({400, "invalid_report", "Invalid report", e.message, {{e.field, e.code, e.message}}, {}});
  }
  exchange.audit_context()["partner_message_id"] = report->partner_message_id;
  if (!report->plan_id.empty()) return participant_message(std::move(exchange), std::move(*report));
  if (report->referral_id.empty()) return notification(std::move(exchange), std::move(*report));
  exchange.audit_context()["referral_id"] = report->referral_id;
  const std::string message_id = report->partner_message_id;
  const std::string referral_id = report->referral_id;
  referrals_.accept_report(
      adapter_name, std::move(*report),
      [exchange, message_id, referral_id](std::expected<ReportOutcome, Failure> outcome) mutable {
        if (!outcome) {
          const std::string& code = outcome.error().code;
          if (code == "unknown_referral") {
            return exchange.refuse({404, code, "Unknown referral", outcome.error().message,
                                    {{"/anvisningsId", "unknown", "names no referral sent to this partner"}}, {}});
          }
          if (code == "duplicate_in_flight") {
            return exchange.refuse({409, code, "Report in progress", outcome.error().message, {}, {}});
          }
          log::error("referral.report_failed", {{"partner_message_id", message_id}, {"error", code}});
          return exchange.reply(make_problem_response({503, code, "Not stored", "the report was not stored; send it again", {}, {}}));
        }
        if (outcome->duplicate) {
          log::info("referral.report_duplicate", {{"partner_message_id", message_id}, {"referral_id", referral_id}});
          return exchange.reply(make_json_response(200, {{"duplicate", true}, {"status", "already_received"}}));
        }
        log::info("referral.report_received",
                  {{"partner_message_id", message_id}, {"referral_id", referral_id}, {"events", outcome->event_ids.size()}});
        exchange.reply(make_json_response(202, {{"status", "accepted"}, {"event_ids", outcome->event_ids}}));
      });
}

void ReportEndpoint::notification(Exchange exchange, InboundReport report) {
  const std::string message_id = report.partner_message_id;
  notifications_.accept(
      exchange.param("adapter"), std::move(report),
      [exchange, message_id](std::expected<NotificationOutcome, Failure> outcome) mutable {
        if (!outcome) {
          const std::string& code = outcome.error().code;
          if (code == "duplicate_in_flight") {
            return exchange.refuse_as("partner.notification_refused",
                                      {409, code, "Notification in progress", outcome.error().message, {}, {}});
          }
          log::error("partner.notification_failed", {{"partner_message_id", message_id}, {"error", code}});
          return exchange.reply(
              make_problem_response({503, code, "Not stored", "the notification was not stored; send it again", {}, {}}));
        }
        if (outcome->duplicate) {
          log::info("partner.notification_duplicate", {{"partner_message_id", message_id}});
          return exchange.reply(make_json_response(200, {{"duplicate", true}, {"status", "already_received"}}));
        }
        // The same answer whether or not the person is in an open case: that a person has a
        // social-services case is secret towards the partner (26 kap. 1 § OSL). The cases and
        // events it reached are in the audit record, under the receipt id.
        log::info("partner.notification_received",
                  {{"partner_message_id", message_id}, {"receipt_id", outcome->receipt_id}});
        exchange.reply(make_json_response(202, {{"status", "accepted"}, {"receipt_id", outcome->receipt_id}}));
      });
}

void ReportEndpoint::participant_message(Exchange exchange, InboundReport report) {
  exchange.audit_context()["plan_id"] = report.plan_id;
  if (sip_ == nullptr) {
    return exchange.refuse_as("sip.participant_message_refused",
                              {404, "unknown_plan", "Unknown plan", "this gateway coordinates no SIP plans", {}, {}});
  }
  const std::string message_id = report.partner_message_id;
  sip_->accept_participant_message(
      exchange.param("adapter"), std::move(report),
      [exchange, message_id](
          std::expected<sip_coordination::SipCoordinator::ParticipantMessageOutcome, Failure> outcome) mutable {
        if (!outcome) {
          const auto& f = outcome.error();
          const unsigned status = failure_status(f.kind);
          std::vector<InvalidParam> invalid;
          if (!f.field.empty()) invalid.push_back({f.field, f.code, f.message});
          Response response = make_problem_response({status, f.code, "Not accepted", f.message, std::move(invalid), {}});
          if (status == 503) {
            // "Not now": the partner sends it again.
            response.set(bhttp::field::retry_after, "1");
            log::warn("sip.participant_message_deferred", {{"partner_message_id", message_id}, {"error", f.code}});
            return exchange.reply(std::move(response));
          }
          nlohmann::json record = exchange.audit_context();
          record["status"] = status;
          record["code"] = f.code;
          exchange.commit({"sip.participant_message_refused", std::move(record), {}}, "send it again",
                          [response = std::move(response)](const AuditReceipt&) { return response; });
          return;
        }
        if (outcome->duplicate) {
          log::info("sip.participant_message_duplicate", {{"partner_message_id", message_id}});
          return exchange.reply(make_json_response(200, {{"duplicate", true}, {"status", "already_received"}}));
        }
        log::info("sip.participant_message_received",
                  {{"partner_message_id", message_id}, {"events", outcome->event_ids.size()}});
        exchange.reply(make_json_response(202, {{"status", "accepted"}, {"event_ids", outcome->event_ids}}));
      });
}

}  // namespace knutpunkt::http
