#pragma once
// The rules of a referral's life after it was accepted, without the store or the outbox (the
// service's): only an active referral is changed, withdrawn or given a decision; a withdrawal is
// final; each change is a new version; Jobbtorg is told only what differs, and a referral resting
// on a consent may be sent only while that consent, recorded by the same client for Jobbtorg
// about the same person, is in force (12 kap. OSL: consent lifts secrecy only while it holds).
#include <chrono>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <string>

#include "referral/referral.h"
#include "store/consent_records.h"
#include "store/delivery_records.h"

namespace knutpunkt {

// What goes to Jobbtorg about an accepted referral. Each has the referral id as its ordering key,
// so Jobbtorg learns them in the order they were made and never before the referral itself.
inline constexpr const char* kReferralChangeMessage = "referral.change";
inline constexpr const char* kReferralWithdrawalMessage = "referral.withdrawal";
inline constexpr const char* kReferralDecisionMessage = "referral.decision";
inline constexpr const char* kReferralAssessmentMessage = "referral.assessment";

// The case event telling the referring client that a referral was withdrawn (by it, or because
// its consent or its case ended).
inline constexpr const char* kReferralWithdrawnEvent = "referral.withdrawn";

// Why a referral is withdrawn (Jobbtorg's återkallelseorsak).
const std::set<std::string>& withdrawal_reason_codes();
// Why a case was closed (the case system's avslutsorsak).
const std::set<std::string>& case_closure_reason_codes();
// A decision on försörjningsstöd that Jobbtorg is told of: reduced or refused for lack of
// attendance (SANKTION), or attendance excused for an individual reason (UNDANTAG).
const std::set<std::string>& decision_codes();

// The fields a case system may change after acceptance; the rest identify the referral.
struct ReferralChange {
  std::optional<int> extent_hours_per_week;
  std::optional<std::string> start_date;
  std::optional<std::string> target_group;
  std::optional<Referral::Caseworker> caseworker;
};

struct AppliedChange {
  nlohmann::json referral;  // the referral with the change applied
  nlohmann::json changes;   // only the fields whose value differs, as they become (internal names)
  bool empty() const { return changes.empty(); }
};
AppliedChange apply_change(const nlohmann::json& referral, const ReferralChange& change);

// The referral's next version: `referral` as it becomes, `status`, stamped at `at`.
ReferralRecord next_version(const ReferralRecord& current, nlohmann::json referral, std::string status, std::string at);

// The decision a case system sends back about a referral.
struct ReferralDecision {
  std::string decision;  // decision_codes()
  std::string period_from;
  std::string period_to;
  std::string reference;  // the case system's beslut id
};

// What a consent for a referral covers: the anvisning and what follows from it.
inline constexpr const char* kReferralInformationType = "ANVISNING";

// A result of the unit's own part of an assessment (IB part 1 or 3, FIA's social situation or
// health), which Jobbtorg needs to plan the activity. The codes are those of
// schemas/jobbtorg/assessment-codes.json (a test keeps the two the same).
struct ReferralAssessment {
  std::string instrument;  // IB | FIA
  std::string part;        // the unit's parts: IB DEL1, DEL3; FIA SOCIAL_SITUATION, HALSA
  std::string completed_on;
  std::map<std::string, std::string> results;  // item -> category (UTBILDNINGSNIVA -> education level)
};
// The parts of each instrument the unit itself assesses.
const std::map<std::string, std::set<std::string>>& unit_assessment_parts();
// The items a result may name (the unit's own and Jobbtorg's), the categories an item takes, and
// the education levels UTBILDNINGSNIVA takes instead.
const std::set<std::string>& assessment_item_codes();
const std::set<std::string>& assessment_category_codes();
const std::set<std::string>& education_level_codes();
inline constexpr const char* kEducationLevelItem = "UTBILDNINGSNIVA";

// Whether `consent` lets `client_id` refer `person_id` to `destination` at `now`: "in_force",
// "no_consent" (none, or not this client's, person's or partner's: not told apart, so a
// reference is no oracle for others' consents), "out_of_scope", "withdrawn", "expired" or
// "not_yet_valid".
std::string referral_consent_state(const std::optional<ConsentRecord>& consent, const std::string& client_id,
                                   const std::string& person_id, const std::string& destination,
                                   std::chrono::system_clock::time_point now);

// The partner name a consent for referrals names: Jobbtorg in general, or one Jobbtorg by its
// adapter name.
inline constexpr const char* kReferralConsentPartner = "jobbtorg";

}  // namespace knutpunkt
