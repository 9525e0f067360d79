// CaseStore on every backend: cases by organisation, and the open cases a person belongs to.
#include <catch2/catch.hpp>
#include <set>
#include <string>
#include <vector>

#include "conformance_support.h"
#include "store_backends.h"

using namespace knutpunkt;
using knutpunkt::conformance::BackendStore;
using knutpunkt::conformance::commit_ok;

namespace {

knutpunkt::CaseRecord case_record(const std::string& client, const std::string& id, const std::string& status,
                                  std::set<std::string> household) {
  return {client,
          id,
          status,
          "Enhet",
          std::move(household),
          "2026-11-01T00:00:00.000Z",
          "",
          "2026-11-01T00:00:00.000Z",
          "org-" + client};
}
std::set<std::string> case_keys(const std::vector<knutpunkt::CaseRecord>& cases) {
  std::set<std::string> keys;
  for (const auto& c : cases) keys.insert(c.client_id + "/" + c.case_id);
  return keys;
}

}  // namespace

TEST_CASE("the open cases a person belongs to follow every registration, update and closing") {
  STORE_BACKEND(backend);
  BackendStore store(backend);
  using knutpunkt::store_write::PutCase;
  REQUIRE(store
              ->commit({}, {PutCase{case_record("a", "EB-1", "open", {"191212121212", "197010632391"})},
                            PutCase{case_record("b", "EB-9", "open", {"191212121212"})},
                            PutCase{case_record("a", "EB-2", "closed", {"191212121212"})}})
              .has_value());
  auto cases = store->open_cases_with_member("191212121212");
  REQUIRE(cases.has_value());
  CHECK(case_keys(*cases) == std::set<std::string>{"a/EB-1", "b/EB-9"});
  CHECK(cases->front().household.contains("197010632391"));

  // The person leaves EB-1's household, and EB-9 closes: no open case is left.
  REQUIRE(store
              ->commit({}, {PutCase{case_record("a", "EB-1", "open", {"197010632391"})},
                            PutCase{case_record("b", "EB-9", "closed", {"191212121212"})}})
              .has_value());
  CHECK(store->open_cases_with_member("191212121212")->empty());
  CHECK(case_keys(*store->open_cases_with_member("197010632391")) == std::set<std::string>{"a/EB-1"});
}

TEST_CASE("a case belongs to its organisation: any of its clients replaces it, another organisation's stays apart") {
  STORE_BACKEND(backend);
  BackendStore store(backend);
  using knutpunkt::store_write::PutCase;
  auto first = case_record("a", "EB-1", "open", {"191212121212"});
  auto same_org = case_record("a2", "EB-1", "open", {"197010632391"});
  same_org.organisation = first.organisation;
  auto other_org = case_record("b", "EB-1", "open", {"198112189876"});
  REQUIRE(store->commit({}, {PutCase{first}, PutCase{other_org}}).has_value());
  REQUIRE(store->commit({}, {PutCase{same_org}}).has_value());

  auto mine = store->case_file("org-a", "EB-1");
  REQUIRE(mine.has_value());
  REQUIRE(mine->has_value());
  CHECK((*mine)->client_id == "a2");
  CHECK((*mine)->organisation == "org-a");
  CHECK((*mine)->household == std::set<std::string>{"197010632391"});
  auto theirs = store->case_file("org-b", "EB-1");
  REQUIRE(theirs->has_value());
  CHECK((*theirs)->household == std::set<std::string>{"198112189876"});
  CHECK_FALSE(store->case_file("org-c", "EB-1")->has_value());
  // The replaced registration's household no longer places the person in an open case.
  CHECK(store->open_cases_with_member("191212121212")->empty());
  CHECK(case_keys(*store->open_cases_with_member("197010632391")) == std::set<std::string>{"a2/EB-1"});
}

TEST_CASE("a case reads back field for field, by organisation and as an open case of its members") {
  STORE_BACKEND(backend);
  BackendStore store(backend);
  const CaseRecord closed{"client-a",
                          "EB-3",
                          "closed",
                          "Försörjningsstöd Farsta",
                          {"191212121212", "197010632391"},
                          "2026-10-01T08:00:00.000Z",
                          "2026-11-30T16:00:00.000Z",
                          "2026-11-30T16:00:00.000Z",
                          "org-a"};
  CaseRecord open = closed;
  open.case_id = "EB-4";
  open.status = "open";
  open.closed_at = "";
  commit_ok(*store, {}, {store_write::PutCase{closed}, store_write::PutCase{open}});
  for (const CaseRecord& expected : {closed, open}) {
    const auto c = store->case_file("org-a", expected.case_id).value();
    REQUIRE(c.has_value());
    CHECK(c->client_id == expected.client_id);
    CHECK(c->case_id == expected.case_id);
    CHECK(c->status == expected.status);
    CHECK(c->unit == expected.unit);
    CHECK(c->household == expected.household);
    CHECK(c->opened_at == expected.opened_at);
    CHECK(c->closed_at == expected.closed_at);
    CHECK(c->updated_at == expected.updated_at);
    CHECK(c->organisation == expected.organisation);
  }
  const auto member_of = store->open_cases_with_member("197010632391").value();
  REQUIRE(member_of.size() == 1);
  CHECK(member_of[0].case_id == "EB-4");
  CHECK(member_of[0].unit == "Försörjningsstöd Farsta");
  CHECK(member_of[0].household == open.household);
  CHECK(member_of[0].organisation == "org-a");
}

TEST_CASE("a case of no organisation is no one's: the empty organisation does not read it") {
  STORE_BACKEND(backend);
  BackendStore store(backend);
  auto legacy = case_record("a", "EB-1", "open", {"191212121212"});
  legacy.organisation.clear();
  commit_ok(*store, {}, {store_write::PutCase{legacy}});
  CHECK_FALSE(store->case_file("", "EB-1").value().has_value());
  CHECK(case_keys(store->open_cases_with_member("191212121212").value()) == std::set<std::string>{"a/EB-1"});
}
