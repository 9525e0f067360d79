#pragma once
// The narrow interface for partners that call knutpunkt back (e.g. Jobbtorg's reports). The
// adapter validates and maps one partner message to case events; the core authenticates the
// partner, deduplicates on the partner's message id, stores, audits and routes.
#include <expected>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

namespace knutpunkt {

struct ReportedEvent {
  std::string type;         // e.g. "referral.attendance"
  std::string occurred_at;  // date or date-time at the partner; empty when not given
  nlohmann::json facts = nlohmann::json::object();
};

// What a partner message is about. A report on something knutpunkt sent (Jobbtorg's reports on a
// referral) names the referral; a partner's own news about a person (Försäkringskassan's
// decisions) names the person, and the core finds the open cases that person belongs to. A
// participant's message about a samordnad individuell plan (a region's reply to an invitation, a
// proposed change) names the plan. Exactly one of referral_id, person_id and plan_id is set.
struct InboundReport {
  std::string partner_message_id;  // the partner's own id: repeats of it are dropped
  std::string referral_id;         // what knutpunkt sent that this report is about
  std::string person_id;           // 12 digits, check digit verified by the adapter
  std::string plan_id;             // the SIP plan a participant's message is about
  std::string participant_id;      // with plan_id: the participant (in the plan) who sends it
  std::string id_kind;             // "personnummer" | "samordningsnummer"
  std::string report_type;         // the partner's code, e.g. "NARVARO" (for the audit record)
  std::string reported_at;
  bool protected_identity = false;
  std::vector<ReportedEvent> events;
  // Where the message departs from the partner's published contract without failing it, each
  // {"kind", "path", "detail"} (e.g. a member the schema does not name); for the audit record only.
  std::vector<nlohmann::json> deviations;
};

// Code: "invalid_json", "field_missing", "field_invalid", "unknown_report_type", "too_large".
// A message about a person carries the person id only in the store and the audit log, never in
// `message` or the application log.
struct InboundError {
  std::string code;
  std::string field;    // JSON pointer into the partner's message
  std::string message;  // no partner values (personal data)
};

class InboundAdapter {
 public:
  virtual ~InboundAdapter() = default;
  virtual std::expected<InboundReport, InboundError> parse_report(std::string_view body) const = 0;
};

}  // namespace knutpunkt
