// ReferralStore on every backend: referrals, the idempotency keys that accepted them, and
// receipts of partners' messages.
#include <catch2/catch.hpp>
#include <string>
#include <vector>

#include "conformance_support.h"
#include "store_backends.h"

using namespace knutpunkt;
using knutpunkt::conformance::BackendStore;
using knutpunkt::conformance::commit_ok;

namespace {}  // namespace

TEST_CASE("idempotency keys are per client; inbound receipts and referrals read back") {
  STORE_BACKEND(backend);
  BackendStore store(backend);
  commit_ok(*store, {},
            {store_write::PutIdempotency{IdempotencyRecord{"client-a", "k", "fp-1", 202, "{\"id\":1}", "2026-11-24"}},
             store_write::PutInboundReceipt{"jobbtorg", "msg-7", "R-1", "2026-11-24T10:00:00Z"},
             store_write::PutReferral{ReferralRecord{"R-1",
                                                     "client-a",
                                                     "EB-1",
                                                     "jobbtorg-sodra",
                                                     "191212121212",
                                                     true,
                                                     "2026-11-24T10:00:00Z",
                                                     {{"purpose", "insats"}}}}});
  auto key = store->idempotency("client-a", "k");
  REQUIRE(key.has_value());
  REQUIRE(key->has_value());
  CHECK((*key)->request_hash == "fp-1");
  CHECK((*key)->http_status == 202);
  CHECK((*key)->response_body == "{\"id\":1}");
  CHECK_FALSE(store->idempotency("client-b", "k")->has_value());
  CHECK_FALSE(store->idempotency("client-a", "K")->has_value());
  // Another client may use the same key.
  commit_ok(*store, {}, {store_write::PutIdempotency{IdempotencyRecord{"client-b", "k", "fp-2", 201, "", "x"}}});
  CHECK((*store->idempotency("client-b", "k"))->request_hash == "fp-2");

  CHECK(*store->inbound_seen("jobbtorg", "msg-7"));
  CHECK_FALSE(*store->inbound_seen("jobbtorg", "msg-8"));
  CHECK_FALSE(*store->inbound_seen("other", "msg-7"));
  CHECK_FALSE(store->commit({}, {store_write::PutInboundReceipt{"jobbtorg", "msg-7", "R-2", "x"}}).has_value());

  auto referral = store->referral("R-1");
  REQUIRE(referral.has_value());
  REQUIRE(referral->has_value());
  CHECK((*referral)->destination == "jobbtorg-sodra");
  CHECK((*referral)->person_id == "191212121212");
  CHECK((*referral)->protected_identity);
  CHECK((*referral)->referral == nlohmann::json{{"purpose", "insats"}});
}

TEST_CASE("a referral and an idempotency key read back field for field") {
  STORE_BACKEND(backend);
  BackendStore store(backend);
  const ReferralRecord referral{"R-7",
                                "client-a",
                                "EB-7",
                                "jobbtorg-sodra",
                                "197010632391",
                                false,
                                "2026-11-24T10:00:00.123Z",
                                {{"syfte", "arbetsträning"}, {"omfattning", 50}, {"insatser", {"a", "b"}}}};
  const IdempotencyRecord key{
      "client-a", "idem-7", "sha256:ab", 201, R"({"referral_id":"R-7"})", "2026-11-24T10:00:00.123Z"};
  commit_ok(*store, {}, {store_write::PutReferral{referral}, store_write::PutIdempotency{key}});

  const auto r = store->referral("R-7").value();
  REQUIRE(r.has_value());
  CHECK(r->referral_id == "R-7");
  CHECK(r->client_id == "client-a");
  CHECK(r->case_id == "EB-7");
  CHECK(r->destination == "jobbtorg-sodra");
  CHECK(r->person_id == "197010632391");
  CHECK_FALSE(r->protected_identity);
  CHECK(r->created_at == "2026-11-24T10:00:00.123Z");
  CHECK(r->referral == referral.referral);
  CHECK_FALSE(store->referral("R-8").value().has_value());

  const auto k = store->idempotency("client-a", "idem-7").value();
  REQUIRE(k.has_value());
  CHECK(k->client_id == "client-a");
  CHECK(k->key == "idem-7");
  CHECK(k->request_hash == "sha256:ab");
  CHECK(k->http_status == 201);
  CHECK(k->response_body == R"({"referral_id":"R-7"})");
  CHECK(k->created_at == "2026-11-24T10:00:00.123Z");
}

TEST_CASE("a referral id is stored once: a second referral with it fails its commit") {
  STORE_BACKEND(backend);
  BackendStore store(backend);
  const ReferralRecord first{"R-1", "client-a", "EB-1", "jobbtorg", "191212121212", false, "t1", {{"n", 1}}};
  ReferralRecord second = first;
  second.referral = {{"n", 2}};
  commit_ok(*store, {}, {store_write::PutReferral{first}});
  CHECK_FALSE(store->commit({}, {store_write::PutReferral{second}}).has_value());
  CHECK(store->referral("R-1").value()->referral == first.referral);
}

TEST_CASE("a referral's changes are versions: each lands once, the row follows, and it is found by consent and case") {
  STORE_BACKEND(backend);
  BackendStore store(backend);
  ReferralRecord first{"R-9",
                       "client-a",
                       "EB-9",
                       "jobbtorg-sodra",
                       "191212121212",
                       false,
                       "2026-11-24T10:00:00Z",
                       {{"extent_hours_per_week", 20}}};
  first.consent_id = "C-1";
  ReferralRecord elsewhere{"R-10", "client-a", "EB-10", "jobbtorg-sodra", "191212121212", false, "2026-11-24T10:00:01Z",
                           {}};
  commit_ok(*store, {}, {store_write::PutReferral{first}, store_write::PutReferral{elsewhere}});
  const auto stored = store->referral("R-9").value();
  REQUIRE(stored.has_value());
  CHECK(stored->status == "active");
  CHECK(stored->version == 1);
  CHECK(stored->consent_id == "C-1");
  CHECK(stored->updated_at.empty());

  ReferralRecord changed = first;
  changed.version = 2;
  changed.referral = {{"extent_hours_per_week", 30}};
  changed.updated_at = "2026-11-25T08:00:00Z";
  commit_ok(*store, {}, {store_write::ChangeReferral{changed}});
  // A second change made from version 1 is refused whole, and changes nothing.
  ReferralRecord rival = changed;
  rival.status = "withdrawn";
  CHECK_FALSE(store->commit({}, {store_write::ChangeReferral{rival}}).has_value());
  const auto now = store->referral("R-9").value();
  CHECK(now->version == 2);
  CHECK(now->status == "active");
  CHECK(now->referral == nlohmann::json{{"extent_hours_per_week", 30}});
  CHECK(now->updated_at == "2026-11-25T08:00:00Z");

  ReferralRecord withdrawn = changed;
  withdrawn.version = 3;
  withdrawn.status = "withdrawn";
  commit_ok(*store, {}, {store_write::ChangeReferral{withdrawn}});
  CHECK(store->referral("R-9").value()->status == "withdrawn");

  const auto on_consent = store->referrals_on_consent("C-1").value();
  REQUIRE(on_consent.size() == 1);
  CHECK(on_consent[0].referral_id == "R-9");
  CHECK(on_consent[0].version == 3);
  CHECK(store->referrals_on_consent("").value().empty());
  CHECK(store->referrals_on_consent("C-2").value().empty());
  const auto in_case = store->referrals_of_case("client-a", "EB-10").value();
  REQUIRE(in_case.size() == 1);
  CHECK(in_case[0].referral_id == "R-10");
  CHECK(store->referrals_of_case("client-b", "EB-10").value().empty());
}

TEST_CASE("referrals with a status page in id order, never showing the others") {
  STORE_BACKEND(backend);
  BackendStore store(backend);
  std::vector<StoreWrite> writes;
  for (const std::string id : {"R-3", "R-1", "R-4", "R-2", "R-5"}) {
    ReferralRecord r{id, "client-a", "EB-1", "jobbtorg-sodra", "191212121212", false, "2026-11-24T10:00:00Z", {}};
    writes.push_back(store_write::PutReferral{r});
  }
  commit_ok(*store, {}, writes);
  ReferralRecord withdrawn = *store->referral("R-2").value();
  withdrawn.version = 2;
  withdrawn.status = "withdrawn";
  withdrawn.updated_at = "2026-11-25T08:00:00Z";
  commit_ok(*store, {}, {store_write::ChangeReferral{withdrawn}});

  const auto ids = [](const std::vector<ReferralRecord>& list) {
    std::vector<std::string> out;
    for (const auto& r : list) out.push_back(r.referral_id);
    return out;
  };
  CHECK(ids(store->referrals_with_status("active", "", 2).value()) == std::vector<std::string>{"R-1", "R-3"});
  CHECK(ids(store->referrals_with_status("active", "R-3", 2).value()) == std::vector<std::string>{"R-4", "R-5"});
  CHECK(store->referrals_with_status("active", "R-5", 2).value().empty());
  const auto gone = store->referrals_with_status("withdrawn", "", 10).value();
  REQUIRE(gone.size() == 1);
  CHECK(gone[0].referral_id == "R-2");
  CHECK(gone[0].status == "withdrawn");
  CHECK(gone[0].case_id == "EB-1");
}
