// The rules of a referral's life after acceptance, without store or outbox.
#include "referral/referral_lifecycle.h"

#include <catch2/catch.hpp>
#include <fstream>

#include "core/clock.h"

using namespace knutpunkt;

namespace {

const nlohmann::json kAccepted = {{"referral_id", "R-1"},
                                  {"extent_hours_per_week", 20},
                                  {"start_date", "2026-12-01"},
                                  {"target_group", "ARBETSFOR_STOD"},
                                  {"caseworker", {{"id", "hl-1"}, {"name", "Karin"}}}};

ConsentRecord consent_for_jobbtorg(std::chrono::system_clock::time_point now) {
  ConsentRecord c;
  c.consent_id = "C-1";
  c.person_id = "191212121212";
  c.partner = "jobbtorg";
  c.information_types = {"ANVISNING"};
  c.client_id = "case-system";
  c.given_at = format_utc(now - std::chrono::hours{24});
  c.expires_at = format_utc(now + std::chrono::hours{24});
  return c;
}

}  // namespace

TEST_CASE("a change carries only the fields whose value differs") {
  ReferralChange change;
  change.extent_hours_per_week = 30;
  change.start_date = "2026-12-01";  // as it was
  change.caseworker = Referral::Caseworker{"hl-2", "", ""};
  const auto applied = apply_change(kAccepted, change);
  CHECK(applied.changes == nlohmann::json{{"extent_hours_per_week", 30}, {"caseworker", {{"id", "hl-2"}}}});
  CHECK(applied.referral["extent_hours_per_week"] == 30);
  CHECK(applied.referral["caseworker"] == nlohmann::json{{"id", "hl-2"}});
  CHECK(applied.referral["target_group"] == "ARBETSFOR_STOD");
  CHECK(applied.referral["referral_id"] == "R-1");
}

TEST_CASE("a change to the values the referral already has changes nothing") {
  ReferralChange same;
  same.extent_hours_per_week = 20;
  same.target_group = "ARBETSFOR_STOD";
  same.caseworker = Referral::Caseworker{"hl-1", "Karin", ""};
  CHECK(apply_change(kAccepted, same).empty());
  CHECK(apply_change(kAccepted, ReferralChange{}).empty());
}

TEST_CASE("each version is one more than the last, stamped and with its status") {
  ReferralRecord current{"R-1", "case-system", "EB-1", "jobbtorg-sodra", "191212121212", false, "t0", kAccepted};
  current.version = 4;
  const auto next = next_version(current, {{"x", 1}}, kReferralWithdrawn, "t5");
  CHECK(next.version == 5);
  CHECK(next.status == "withdrawn");
  CHECK(next.updated_at == "t5");
  CHECK(next.referral == nlohmann::json{{"x", 1}});
  CHECK(next.created_at == "t0");
}

TEST_CASE("a referral rests only on this client's consent for Jobbtorg about the person, in force now") {
  const auto now = std::chrono::system_clock::now();
  const ConsentRecord c = consent_for_jobbtorg(now);
  const auto state = [&](const std::optional<ConsentRecord>& consent, const std::string& client = "case-system",
                         const std::string& person = "191212121212", const std::string& destination = "jobbtorg-sodra",
                         std::chrono::system_clock::time_point at = {}) {
    return referral_consent_state(consent, client, person, destination, at == decltype(at){} ? now : at);
  };
  CHECK(state(c) == "in_force");
  CHECK(state(std::nullopt) == "no_consent");
  // Another client's, another person's or another partner's consent is, to this referral, none.
  CHECK(state(c, "other-system") == "no_consent");
  CHECK(state(c, "case-system", "197010632391") == "no_consent");
  ConsentRecord for_af = c;
  for_af.partner = "arbetsformedlingen";
  CHECK(state(for_af) == "no_consent");
  // The destination's own name is as good as Jobbtorg's.
  ConsentRecord for_sodra = c;
  for_sodra.partner = "jobbtorg-sodra";
  CHECK(state(for_sodra) == "in_force");
  CHECK(state(for_sodra, "case-system", "191212121212", "jobbtorg-norra") == "no_consent");
  ConsentRecord other_types = c;
  other_types.information_types = {"HANDLINGSPLAN"};
  CHECK(state(other_types) == "out_of_scope");
  ConsentRecord any_type = c;
  any_type.information_types.clear();
  CHECK(state(any_type) == "in_force");
  // Time: not before it is given, not from its expiry, not after its withdrawal.
  CHECK(state(c, "case-system", "191212121212", "jobbtorg-sodra", now - std::chrono::hours{25}) == "not_yet_valid");
  CHECK(state(c, "case-system", "191212121212", "jobbtorg-sodra", now + std::chrono::hours{24}) == "expired");
  ConsentRecord withdrawn = c;
  withdrawn.withdrawn_at = format_utc(now - std::chrono::minutes{1});
  CHECK(state(withdrawn) == "withdrawn");
}

TEST_CASE("the assessment codes the edge accepts are those of the published code lists") {
  std::ifstream file(std::string(KNUTPUNKT_REPO_ROOT) + "/schemas/jobbtorg/assessment-codes.json");
  REQUIRE(file.good());
  const auto lists = nlohmann::json::parse(file)["lists"];
  const auto codes = [&](const char* list) {
    std::set<std::string> out;
    for (const auto& c : lists[list]["codes"]) out.insert(c["code"].get<std::string>());
    return out;
  };
  std::set<std::string> items = codes("unit_item");
  items.merge(codes("item"));
  CHECK(assessment_item_codes() == items);
  CHECK(assessment_category_codes() == codes("category"));
  CHECK(education_level_codes() == codes("education_level"));
  std::set<std::string> unit_parts;
  for (const auto& [instrument, parts] : unit_assessment_parts()) {
    CHECK(codes("instrument").contains(instrument));
    unit_parts.insert(parts.begin(), parts.end());
  }
  for (const auto& part : unit_parts) CHECK(codes("part").contains(part));
}
