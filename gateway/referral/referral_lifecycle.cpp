#include "referral/referral_lifecycle.h"

#include "consent/consent_registry.h"

namespace knutpunkt {

const std::set<std::string>& withdrawal_reason_codes() {
  static const std::set<std::string> codes{
      "BEHOV_UPPHORT",        // the person no longer needs the activity (work, studies, moved)
      "FEL_INSATS",           // another activity fits better
      "FEL_UPPGIFTER",        // sent with wrong facts; a corrected referral follows
      "SAMTYCKE_ATERKALLAT",  // the person withdrew the consent it rested on
      "ARENDE_AVSLUTAT",      // the case was closed
      "OVRIGT",
  };
  return codes;
}

const std::set<std::string>& case_closure_reason_codes() {
  static const std::set<std::string> codes{
      "EGEN_FORSORJNING",  // self-supporting: work or other income
      "ANNAN_ERSATTNING",  // benefits from another system (sjukpenning, a-kassa, studiemedel)
      "FLYTTAT",           // moved to another municipality
      "EJ_AKTUELL",        // no longer applies for assistance
      "AVLIDEN",          "OVRIGT",
  };
  return codes;
}

const std::set<std::string>& decision_codes() {
  static const std::set<std::string> codes{"SANKTION", "UNDANTAG"};
  return codes;
}

const std::map<std::string, std::set<std::string>>& unit_assessment_parts() {
  static const std::map<std::string, std::set<std::string>> parts{{"IB", {"DEL1", "DEL3"}},
                                                                  {"FIA", {"SOCIAL_SITUATION", "HALSA"}}};
  return parts;
}

const std::set<std::string>& assessment_item_codes() {
  static const std::set<std::string> codes{
      // The unit's own (IB part 1, FIA social situation and health).
      "BOENDE", "EKONOMI_SKULDER", "SOCIALT_NATVERK", "BARNENS_SITUATION", "MISSBRUK", "FYSISK_HALSA", "PSYKISK_HALSA",
      // Those Jobbtorg assesses too.
      "ARBETSFORMAGA", "ARBETSLIVSERFARENHET", "SVENSKA_SPRAKET", "MOTIVATION", "HALSOHINDER", "UTBILDNINGSNIVA"};
  return codes;
}

const std::set<std::string>& assessment_category_codes() {
  static const std::set<std::string> codes{"INGET_HINDER", "VISST_HINDER", "STORT_HINDER", "EJ_BEDOMT"};
  return codes;
}

const std::set<std::string>& education_level_codes() {
  static const std::set<std::string> codes{"FORGYMNASIAL_EJ_FULLFOLJD", "FORGYMNASIAL", "GYMNASIAL", "EFTERGYMNASIAL"};
  return codes;
}

AppliedChange apply_change(const nlohmann::json& referral, const ReferralChange& change) {
  AppliedChange out{referral, nlohmann::json::object()};
  const auto set = [&](const char* field, nlohmann::json value) {
    if (out.referral.value(field, nlohmann::json()) == value) return;
    out.referral[field] = value;
    out.changes[field] = std::move(value);
  };
  if (change.extent_hours_per_week) set("extent_hours_per_week", *change.extent_hours_per_week);
  if (change.start_date) set("start_date", *change.start_date);
  if (change.target_group) set("target_group", *change.target_group);
  if (change.caseworker) {
    nlohmann::json caseworker = {{"id", change.caseworker->id}};
    if (!change.caseworker->name.empty()) caseworker["name"] = change.caseworker->name;
    if (!change.caseworker->phone.empty()) caseworker["phone"] = change.caseworker->phone;
    set("caseworker", std::move(caseworker));
  }
  return out;
}

ReferralRecord next_version(const ReferralRecord& current, nlohmann::json referral, std::string status,
                            std::string at) {
  ReferralRecord next = current;
  next.referral = std::move(referral);
  next.status = std::move(status);
  next.version = current.version + 1;
  next.updated_at = std::move(at);
  return next;
}

std::string referral_consent_state(const std::optional<ConsentRecord>& consent, const std::string& client_id,
                                   const std::string& person_id, const std::string& destination,
                                   std::chrono::system_clock::time_point now) {
  if (!consent || consent->client_id != client_id || consent->person_id != person_id ||
      (consent->partner != kReferralConsentPartner && consent->partner != destination)) {
    return "no_consent";
  }
  // A consent naming what it covers must name the referral itself.
  if (!consent->information_types.empty() && !consent->information_types.contains(kReferralInformationType)) {
    return "out_of_scope";
  }
  return consent::state_at(*consent, now);
}

}  // namespace knutpunkt
