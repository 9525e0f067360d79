#include "http/referral_request.h"

#include <algorithm>
#include <regex>

#include "core/clock.h"
#include "http/request_fields.h"
#include "policy/person_id.h"

namespace knutpunkt::http {

namespace {

// The coded results of a part of an assessment, {item: category}, every item and category from the
// code lists; each problem named `<name>.<item>`. Absent is a problem only when `required`.
std::map<std::string, std::string> read_assessment_results(const nlohmann::json& object, const std::string& name,
                                                           bool required, std::vector<InvalidParam>& invalid) {
  std::map<std::string, std::string> read;
  const auto results = object.find("results");
  if ((results == object.end() || results->is_null()) && !required) return read;
  if (results == object.end() || !results->is_object() || results->empty()) {
    invalid.push_back({name, results == object.end() ? "missing" : "not_an_object",
                       "is required as an object of item codes and their categories"});
    return read;
  }
  for (const auto& [item, value] : results->items()) {
    const std::string field = name + "." + item;
    if (!assessment_item_codes().contains(item)) {
      invalid.push_back({field, "unknown_code", "is not an item of the assessment code lists"});
      continue;
    }
    const auto& allowed = item == kEducationLevelItem ? education_level_codes() : assessment_category_codes();
    if (!value.is_string() || !allowed.contains(value.get<std::string>())) {
      invalid.push_back({field, "unknown_code", "is not a category this item takes"});
      continue;
    }
    read[item] = value.get<std::string>();
  }
  return read;
}

}  // namespace

ReferralRequestParse parse_referral_request(const nlohmann::json& body, std::chrono::year_month_day today) {
  ReferralRequestParse parse;
  auto& invalid = parse.invalid;
  Referral& r = parse.referral;
  if (!body.is_object()) {
    invalid.push_back({"", "not_an_object", "the request body must be a JSON object"});
    return parse;
  }
  refuse_unknown_fields(body, "",
                        {"case_id", "municipality", "unit", "district", "person_id", "caseworker", "purpose",
                         "target_group", "forsorjningshinder", "extent_hours_per_week", "start_date",
                         "consent_reference", "ib_part1", "protected_identity"},
                        invalid);
  // The case system's own knowledge (sekretessmarkering in folkbokföringen); the gateway also
  // holds every flag a partner ever raised, and either one protects.
  r.protected_identity = read_flag(body, "protected_identity", false, invalid);
  r.case_id = read_text(body, "case_id", "case_id", true, invalid, 64);
  r.municipality = read_text(body, "municipality", "municipality", true, invalid);
  static const std::regex kommunkod("[0-9]{4}");
  if (!r.municipality.empty() && !std::regex_match(r.municipality, kommunkod)) {
    invalid.push_back({"municipality", "bad_format", "must be a four-digit kommunkod"});
  }
  r.unit = read_text(body, "unit", "unit", true, invalid);
  r.district = read_text(body, "district", "district", true, invalid, 64);

  if (auto person = read_person_id(body, "person_id", "person_id", today, invalid)) {
    r.person_id = person->digits;
    r.id_kind = person->kind;
  }

  auto caseworker = body.find("caseworker");
  if (caseworker == body.end() || !caseworker->is_object()) {
    invalid.push_back({"caseworker", caseworker == body.end() ? "missing" : "not_an_object",
                       "is required as an object with the caseworker's id"});
  } else {
    refuse_unknown_fields(*caseworker, "caseworker.", {"id", "name", "phone"}, invalid);
    r.caseworker.id = read_text(*caseworker, "id", "caseworker.id", true, invalid, 64);
    r.caseworker.name = read_text(*caseworker, "name", "caseworker.name", false, invalid);
    r.caseworker.phone = read_text(*caseworker, "phone", "caseworker.phone", false, invalid, 32);
  }
  r.purpose = read_text(body, "purpose", "purpose", true, invalid, 64);
  r.target_group = read_code(body, "target_group", "target_group", true, target_group_codes(), invalid);
  r.forsorjningshinder =
      read_code(body, "forsorjningshinder", "forsorjningshinder", true, forsorjningshinder_codes(), invalid);
  // A full-time activity is 40 hours a week; more is a typing mistake, not a plan.
  if (auto hours = read_integer(body, "extent_hours_per_week", "extent_hours_per_week", true, 1, 40, invalid)) {
    r.extent_hours_per_week = static_cast<int>(*hours);
  }
  r.start_date = read_date(body, "start_date", "start_date", true, invalid);
  r.consent_reference = read_text(body, "consent_reference", "consent_reference", true, invalid, 64);

  if (auto ib = body.find("ib_part1"); ib != body.end() && !ib->is_null()) {
    if (!ib->is_object()) {
      invalid.push_back({"ib_part1", "not_an_object", "must be an object"});
    } else {
      refuse_unknown_fields(*ib, "ib_part1.", {"completed_on", "summary", "results"}, invalid);
      Referral::IbPart1 part;
      part.completed_on = read_date(*ib, "completed_on", "ib_part1.completed_on", true, invalid);
      part.summary = read_text(*ib, "summary", "ib_part1.summary", false, invalid, 2000);
      // Coded as when the unit sends its IB part 1 after the referral (parse_referral_assessment).
      part.results = read_assessment_results(*ib, "ib_part1.results", false, invalid);
      r.ib_part1 = std::move(part);
    }
  }
  return parse;
}

ReferralChangeParse parse_referral_change(const nlohmann::json& body) {
  ReferralChangeParse parse;
  auto& invalid = parse.invalid;
  ReferralChange& c = parse.change;
  const std::set<std::string> changeable{"extent_hours_per_week", "start_date", "target_group", "caseworker"};
  refuse_unknown_fields(body, "", changeable, invalid);
  if (body.contains("extent_hours_per_week")) {
    if (auto hours = read_integer(body, "extent_hours_per_week", "extent_hours_per_week", true, 1, 40, invalid)) {
      c.extent_hours_per_week = static_cast<int>(*hours);
    }
  }
  if (body.contains("start_date")) c.start_date = read_date(body, "start_date", "start_date", true, invalid);
  if (body.contains("target_group")) {
    c.target_group = read_code(body, "target_group", "target_group", true, target_group_codes(), invalid);
  }
  if (auto caseworker = body.find("caseworker"); caseworker != body.end()) {
    if (!caseworker->is_object()) {
      invalid.push_back({"caseworker", "not_an_object", "must be an object with the caseworker's id"});
    } else {
      refuse_unknown_fields(*caseworker, "caseworker.", {"id", "name", "phone"}, invalid);
      Referral::Caseworker cw;
      cw.id = read_text(*caseworker, "id", "caseworker.id", true, invalid, 64);
      cw.name = read_text(*caseworker, "name", "caseworker.name", false, invalid);
      cw.phone = read_text(*caseworker, "phone", "caseworker.phone", false, invalid, 32);
      c.caseworker = std::move(cw);
    }
  }
  const bool names_one =
      std::any_of(changeable.begin(), changeable.end(), [&](const std::string& field) { return body.contains(field); });
  if (!names_one && invalid.empty()) {
    invalid.push_back(
        {"", "no_change", "name at least one of extent_hours_per_week, start_date, target_group, caseworker"});
  }
  return parse;
}

ReferralWithdrawalParse parse_referral_withdrawal(const nlohmann::json& body) {
  ReferralWithdrawalParse parse;
  refuse_unknown_fields(body, "", {"reason"}, parse.invalid);
  parse.reason = read_code(body, "reason", "reason", true, withdrawal_reason_codes(), parse.invalid);
  return parse;
}

ReferralDecisionParse parse_referral_decision(const nlohmann::json& body) {
  ReferralDecisionParse parse;
  auto& invalid = parse.invalid;
  refuse_unknown_fields(body, "", {"decision", "period", "reference"}, invalid);
  parse.decision.decision = read_code(body, "decision", "decision", true, decision_codes(), invalid);
  if (auto period = read_period(body, invalid)) {
    parse.decision.period_from = period->from;
    parse.decision.period_to = period->to;
  }
  parse.decision.reference = read_text(body, "reference", "reference", true, invalid, 64);
  return parse;
}

ReferralAssessmentParse parse_referral_assessment(const nlohmann::json& body, std::chrono::year_month_day today) {
  ReferralAssessmentParse parse;
  auto& invalid = parse.invalid;
  ReferralAssessment& a = parse.assessment;
  refuse_unknown_fields(body, "", {"instrument", "part", "completed_on", "results"}, invalid);
  std::set<std::string> instruments;
  for (const auto& [instrument, _] : unit_assessment_parts()) instruments.insert(instrument);
  a.instrument = read_code(body, "instrument", "instrument", true, instruments, invalid);
  if (const auto parts = unit_assessment_parts().find(a.instrument); parts != unit_assessment_parts().end()) {
    a.part = read_code(body, "part", "part", true, parts->second, invalid);
  } else if (a.instrument.empty() && !body.contains("part")) {
    invalid.push_back({"part", "missing", "is required"});
  }
  a.completed_on = read_date(body, "completed_on", "completed_on", true, invalid);
  // An assessment is reported once it is done, never ahead of it.
  if (const auto on = parse_utc(a.completed_on);
      on && std::chrono::floor<std::chrono::days>(*on) > std::chrono::sys_days{today}) {
    invalid.push_back({"completed_on", "in_the_future", "must not be after today"});
  }
  a.results = read_assessment_results(body, "results", true, invalid);
  return parse;
}

}  // namespace knutpunkt::http
