// ConsentStore on every backend: consents by id and by person, withdrawn ones included.
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

ConsentRecord consent(const std::string& id, std::set<std::string> organisations) {
  ConsentRecord c;
  c.consent_id = id;
  c.person_id = "191212121212";
  c.id_kind = "personnummer";
  c.partner = "sip";
  c.information_types = {"SIP"};
  c.given_at = "2026-11-01";
  c.expires_at = "2027-11-01";
  c.document_reference = "DOK-" + id;
  c.case_id = "EB-1";
  c.client_id = "client-a";
  c.recorded_at = "2026-11-01T09:00:00Z";
  c.organisations = std::move(organisations);
  return c;
}

void check_same(const ConsentRecord& read, const ConsentRecord& expected) {
  CHECK(read.consent_id == expected.consent_id);
  CHECK(read.person_id == expected.person_id);
  CHECK(read.id_kind == expected.id_kind);
  CHECK(read.partner == expected.partner);
  CHECK(read.information_types == expected.information_types);
  CHECK(read.given_at == expected.given_at);
  CHECK(read.expires_at == expected.expires_at);
  CHECK(read.withdrawn_at == expected.withdrawn_at);
  CHECK(read.document_reference == expected.document_reference);
  CHECK(read.case_id == expected.case_id);
  CHECK(read.client_id == expected.client_id);
  CHECK(read.recorded_at == expected.recorded_at);
  CHECK(read.organisations == expected.organisations);
  CHECK(read.organisation == expected.organisation);
  CHECK(read.held_by == expected.held_by);
}

}  // namespace

TEST_CASE("a consent's organisations are stored and read back by id and by person") {
  STORE_BACKEND(backend);
  BackendStore store(backend);
  ConsentRecord sip = consent("C-1", {"region-stockholm", "Försäkringskassan"});
  sip.recorded_at = "2026-11-02T09:00:00Z";
  ConsentRecord other = consent("C-2", {});
  other.partner = "jobbtorg";
  commit_ok(*store, {}, {store_write::PutConsent{sip}, store_write::PutConsent{other}});

  const auto by_id = store->consent("C-1").value();
  REQUIRE(by_id.has_value());
  CHECK(by_id->organisations == std::set<std::string>{"region-stockholm", "Försäkringskassan"});
  CHECK(by_id->information_types == std::set<std::string>{"SIP"});
  CHECK(store->consent("C-2").value()->organisations.empty());

  const auto by_person = store->consents_for_person("191212121212").value();
  REQUIRE(by_person.size() == 2);
  CHECK(by_person[0].consent_id == "C-1");
  CHECK(by_person[0].organisations == sip.organisations);
  CHECK(by_person[1].organisations.empty());

  // Withdrawal leaves the organisations as they were: what held, and towards whom.
  commit_ok(*store, {}, {store_write::WithdrawConsent{"C-1", "2026-12-01T08:00:00Z"}});
  CHECK(store->consent("C-1").value()->organisations == sip.organisations);
}

TEST_CASE("a consent reads back field for field, by id and by person") {
  STORE_BACKEND(backend);
  BackendStore store(backend);
  ConsentRecord given = consent("C-7", {"region-stockholm"});
  given.partner = "jobbtorg";
  given.information_types = {"HANDLINGSPLAN", "AKTIVITETSRAPPORTER"};
  given.given_at = "2026-11-01T08:30:00Z";
  given.expires_at = "2027-05-01T00:00:00Z";
  given.organisation = "org-a";
  given.held_by = "org-a";
  commit_ok(*store, {}, {store_write::PutConsent{given}});
  const auto by_id = store->consent("C-7").value();
  REQUIRE(by_id.has_value());
  check_same(*by_id, given);
  const auto by_person = store->consents_for_person("191212121212").value();
  REQUIRE(by_person.size() == 1);
  check_same(by_person[0], given);
  CHECK_FALSE(store->consent("C-8").value().has_value());
  CHECK(store->consents_for_person("197010632391").value().empty());
}

TEST_CASE("the first withdrawal of a consent counts; a repeat changes nothing") {
  STORE_BACKEND(backend);
  BackendStore store(backend);
  commit_ok(*store, {}, {store_write::PutConsent{consent("C-1", {})}});
  commit_ok(*store, {}, {store_write::WithdrawConsent{"C-1", "2026-12-01T08:00:00Z"}});
  commit_ok(*store, {}, {store_write::WithdrawConsent{"C-1", "2026-12-02T08:00:00Z"}});
  ConsentRecord expected = consent("C-1", {});
  expected.withdrawn_at = "2026-12-01T08:00:00Z";
  check_same(store->consent("C-1").value().value(), expected);
  // Withdrawing a consent never recorded is no error and records nothing.
  commit_ok(*store, {}, {store_write::WithdrawConsent{"C-9", "2026-12-01T08:00:00Z"}});
  CHECK_FALSE(store->consent("C-9").value().has_value());
}
