// The SQLite store is the PostgreSQL store's specification: the same writes, then the same
// reads from both, compared. The PostgreSQL database sorts text the Swedish way (ICU sv-SE), as a
// production database may, so orders that must be byte orders (timestamps, ids in cursors) show
// it if they are not.
#include <filesystem>
#include <random>

#include "pg_test_database.h"
#include "store/sqlite/sqlite_store.h"

using namespace knutpunkt;
using namespace knutpunkt::test_postgres;

namespace {

struct BothStores {
  std::filesystem::path dir;
  std::unique_ptr<Store> sqlite;
  std::unique_ptr<Store> postgres;

  BothStores() {
    static int made = 0;
    const std::string name = "knutpunkt_parity_" + std::to_string(getpid()) + "_" + std::to_string(++made);
    dir = std::filesystem::temp_directory_path() / name;
    std::filesystem::create_directories(dir);
    auto s = open_sqlite_store(dir / "k.db");
    REQUIRE(s.has_value());
    sqlite = std::move(*s);
    const std::string server =
        "host=127.0.0.1 port=" + std::to_string(PostgresCluster::shared().port()) + " user=postgres";
    sql(server + " dbname=postgres",
        "CREATE DATABASE " + name + " LOCALE_PROVIDER icu ICU_LOCALE 'sv-SE' LOCALE 'C.utf8' TEMPLATE template0");
    postgres = open_store(server + " dbname=" + name);
  }
  ~BothStores() {
    std::error_code ignored;
    std::filesystem::remove_all(dir, ignored);
  }

  void commit(const std::vector<AuditRecord>& records, const std::vector<StoreWrite>& writes) {
    auto a = sqlite->commit(records, writes);
    auto b = postgres->commit(records, writes);
    INFO((b ? std::string() : b.error().code + ": " + b.error().message));
    REQUIRE(a.has_value() == b.has_value());
  }
};

std::vector<std::int64_t> seqs(const std::vector<IndexedAuditRecord>& records) {
  std::vector<std::int64_t> out;
  for (const auto& r : records) out.push_back(r.record.seq);
  return out;
}

// Every page of a search, following the before_seq cursor.
std::vector<std::vector<IndexedAuditRecord>> pages(Store& store, AuditQuery q) {
  std::vector<std::vector<IndexedAuditRecord>> out;
  for (;;) {
    auto page = store.search_audit(q);
    REQUIRE(page.has_value());
    if (page->empty()) return out;
    q.before_seq = page->back().record.seq;
    out.push_back(std::move(*page));
  }
}

std::vector<std::int64_t> scanned(Store& store, const AuditQuery& q, bool oldest_first) {
  std::vector<std::int64_t> out;
  REQUIRE(store
              .scan_audit_index(q, oldest_first,
                                [&](const IndexedAuditRecord& r) {
                                  out.push_back(r.record.seq);
                                  return true;
                                })
              .has_value());
  return out;
}

}  // namespace

TEST_CASE("audit searches, scans and seq ranges give what the SQLite store gives, page for page") {
  BothStores both;
  std::mt19937 random(20261206);
  const auto pick = [&](int n) { return static_cast<int>(random() % static_cast<unsigned>(n)); };
  const std::vector<std::string> kinds{"lookup", "lookup.refused", "referral.accepted", "delivery.attempted"};
  const std::vector<std::string> persons{"199001011234", "198502029876", "200003034567", "197004045678"};
  std::vector<AuditRecord> records;
  for (int seq = 1; seq <= 600; ++seq) {
    // Mostly forward in time, sometimes set back (recorded_at need not grow with seq).
    const int minute = seq / 3 - (seq % 37 == 0 ? 40 : 0);
    char at[32];
    std::snprintf(at, sizeof at, "2026-11-%02dT%02d:%02d:00.000Z", 1 + minute / 1440, (minute / 60) % 24, minute % 60);
    nlohmann::json body{{"client", "c" + std::to_string(pick(3))},
                        {"case_id", "k" + std::to_string(pick(6))},
                        {"partner", "p" + std::to_string(pick(3))},
                        {"outcome", pick(2) ? "complete" : "partial"},
                        {"caseworker", {{"id", "w" + std::to_string(pick(3))}}},
                        {"code", "c" + std::to_string(pick(2))}};
    if (pick(3) > 0) body["person_id"] = persons[static_cast<std::size_t>(pick(4))];
    records.push_back(AuditRecord{seq, at, kinds[static_cast<std::size_t>(pick(4))], body, "p", "h"});
    if (records.size() == 50) {
      both.commit(records, {});
      records.clear();
    }
  }

  std::vector<AuditQuery> queries;
  const auto query = [&](auto&& set) {
    AuditQuery q;
    q.limit = 7;
    set(q);
    queries.push_back(q);
  };
  query([](AuditQuery&) {});
  query([&](AuditQuery& q) { q.person_id = persons[0]; });
  query([&](AuditQuery& q) {
    q.person_id = persons[1];
    q.case_id = "k2";
    q.since = "2026-11-01T01:00:00.000Z";
  });
  query([](AuditQuery& q) { q.case_id = "k3"; });
  query([](AuditQuery& q) {
    q.caseworker = "w1";
    q.until = "2026-11-01T02:30:00.000Z";
  });
  query([](AuditQuery& q) {
    q.client = "c0";
    q.outcome = "refused";
  });
  query([](AuditQuery& q) {
    q.partner = "p2";
    q.since = "2026-11-01T00:40:00.000Z";
    q.until = "2026-11-01T02:00:00.000Z";
  });
  query([](AuditQuery& q) { q.operation = "delivery"; });
  query([](AuditQuery& q) {
    q.kind = "lookup";
    q.before_seq = 300;
  });
  query([](AuditQuery& q) { q.since = "2026-11-01T03:00:00.000Z"; });
  query([](AuditQuery& q) { q.since = "2027-01-01T00:00:00.000Z"; });

  for (const AuditQuery& q : queries) {
    INFO("person " << q.person_id << " case " << q.case_id << " caseworker " << q.caseworker << " client " << q.client
                   << " partner " << q.partner << " operation " << q.operation << " kind " << q.kind << " since "
                   << q.since << " until " << q.until << " before " << q.before_seq);
    const auto expected = pages(*both.sqlite, q);
    const auto actual = pages(*both.postgres, q);
    REQUIRE(actual.size() == expected.size());
    for (std::size_t i = 0; i < expected.size(); ++i) {
      CHECK(seqs(actual[i]) == seqs(expected[i]));
      for (std::size_t j = 0; j < std::min(actual[i].size(), expected[i].size()); ++j) {
        CHECK(actual[i][j].index == expected[i][j].index);
        CHECK(actual[i][j].record.body.dump() == expected[i][j].record.body.dump());
        CHECK(actual[i][j].record.recorded_at == expected[i][j].record.recorded_at);
      }
    }
    CHECK(scanned(*both.postgres, q, true) == scanned(*both.sqlite, q, true));
    CHECK(scanned(*both.postgres, q, false) == scanned(*both.sqlite, q, false));
  }
  for (const auto& [since, until] :
       std::vector<std::pair<std::string, std::string>>{{"", ""},
                                                        {"2026-11-01T01:00:00.000Z", ""},
                                                        {"", "2026-11-01T00:20:00.000Z"},
                                                        {"2026-11-01T02:00:00.000Z", "2026-11-01T02:10:00.000Z"},
                                                        {"2027-01-01", ""}}) {
    CHECK(both.postgres->audit_seq_range(since, until).value() == both.sqlite->audit_seq_range(since, until).value());
  }
}

TEST_CASE("manual items, consents, open SIP plans and cases come in the SQLite store's order and pages") {
  BothStores both;
  // Ids whose byte order differs from a Swedish collation's ('B' < 'a' in bytes; 'a' < 'B' in sv-SE).
  const std::vector<std::string> ids{"a1", "B2", "b1", "A2", "Ä1", "z9"};
  std::vector<StoreWrite> writes;
  for (std::size_t i = 0; i < ids.size(); ++i) {
    const std::string at = i % 2 ? "2026-12-01T10:00:00Z" : "2026-12-01t10:00:00Z";
    ManualItem m;
    m.item_id = ids[i];
    m.kind = "referral";
    m.created_at = at;
    writes.push_back(store_write::PutManualItem{m});
    ConsentRecord c;
    c.consent_id = ids[i];
    c.person_id = "199001011234";
    c.recorded_at = at;
    c.information_types = {"X", "a"};
    writes.push_back(store_write::PutConsent{c});
    SipPlanRecord p;
    p.plan_id = ids[i];
    p.consent_id = "consent";
    p.status = i == 3 ? "closed" : "initiated";
    p.initiated_at = at;
    p.version = 1;
    p.plan = {{"i", i}};
    writes.push_back(store_write::PutSipPlan{p});
    CaseRecord k;
    k.client_id = ids[i];
    k.case_id = ids[(i + 1) % ids.size()];
    k.status = "open";
    k.household = {"199001011234"};
    k.organisation = "org-" + ids[i];
    writes.push_back(store_write::PutCase{k});
  }
  writes.push_back(store_write::ResolveManualItem{"B2", "2026-12-02T00:00:00Z", "operator", "n"});
  both.commit({}, writes);

  for (const std::string status : {"", "open", "resolved"}) {
    std::string after_at, after_id;
    for (;;) {
      auto a = both.sqlite->manual_items(status, after_at, after_id, 2).value();
      auto b = both.postgres->manual_items(status, after_at, after_id, 2).value();
      REQUIRE(b.size() == a.size());
      for (std::size_t i = 0; i < a.size(); ++i) {
        CHECK(b[i].item_id == a[i].item_id);
        CHECK(b[i].status == a[i].status);
      }
      if (a.empty()) break;
      after_at = a.back().created_at;
      after_id = a.back().item_id;
    }
  }
  const auto consent_ids = [](const std::vector<ConsentRecord>& list) {
    std::vector<std::string> out;
    for (const auto& c : list) out.push_back(c.consent_id);
    return out;
  };
  CHECK(consent_ids(both.postgres->consents_for_person("199001011234").value()) ==
        consent_ids(both.sqlite->consents_for_person("199001011234").value()));
  CHECK(both.postgres->consent("a1").value()->information_types ==
        both.sqlite->consent("a1").value()->information_types);

  const auto plan_ids = [](const std::vector<SipPlanRecord>& list) {
    std::vector<std::string> out;
    for (const auto& p : list) out.push_back(p.plan_id);
    return out;
  };
  std::string after;
  for (;;) {
    auto a = both.sqlite->open_sip_plans(after, 2).value();
    auto b = both.postgres->open_sip_plans(after, 2).value();
    CHECK(plan_ids(b) == plan_ids(a));
    if (a.empty()) break;
    after = a.back().plan_id;
  }
  CHECK(plan_ids(both.postgres->open_sip_plans("unknown", 10).value()) ==
        plan_ids(both.sqlite->open_sip_plans("unknown", 10).value()));
  CHECK(plan_ids(both.postgres->sip_plans_with_consent("consent").value()) ==
        plan_ids(both.sqlite->sip_plans_with_consent("consent").value()));

  const auto case_keys = [](const std::vector<CaseRecord>& list) {
    std::vector<std::string> out;
    for (const auto& c : list) out.push_back(c.client_id + "/" + c.case_id);
    return out;
  };
  CHECK(case_keys(both.postgres->open_cases_with_member("199001011234").value()) ==
        case_keys(both.sqlite->open_cases_with_member("199001011234").value()));
}

TEST_CASE("the feed and the outbox read as in the SQLite store, a negative limit meaning none") {
  BothStores both;
  std::vector<StoreWrite> writes;
  for (int i = 0; i < 5; ++i) {
    writes.push_back(store_write::AppendEvent{"e" + std::to_string(i), "client", "case", "corr", "t", {{"i", i}}});
    OutboxMessage m;
    m.id = "m" + std::to_string(i);
    m.destination = "jobbtorg";
    m.type = "referral.requested";
    m.ordering_key = "k";
    m.payload = {{"i", i}};
    writes.push_back(store_write::EnqueueMessage{m});
  }
  // Dead-lettered at a time in milliseconds past 2^31.
  writes.push_back(store_write::RecordAttempt{
      DeliveryAttempt{"m1", 1, 1'765'000'000'000, "https://x", 500, 20, "dead_lettered", "http_500"},
      MessageStatus::dead, 0, "http_500"});
  both.commit({}, writes);

  const auto event_ids = [](const std::vector<StoredEvent>& list) {
    std::vector<std::string> out;
    for (const auto& e : list) out.push_back(e.event_id + e.envelope.dump());
    return out;
  };
  for (int limit : {-1, 0, 2, 100}) {
    INFO("limit " << limit);
    CHECK(event_ids(both.postgres->events_after("client", 1, limit).value()) ==
          event_ids(both.sqlite->events_after("client", 1, limit).value()));
  }
  DeadLetterQuery q;
  q.dead_until_ms = 1'800'000'000'000;
  q.limit = -1;
  auto a = both.sqlite->dead_letters(q).value();
  auto b = both.postgres->dead_letters(q).value();
  REQUIRE(a.size() == 1);
  REQUIRE(b.size() == 1);
  CHECK(b[0].id == a[0].id);
  CHECK(b[0].dead_at_ms == a[0].dead_at_ms);
  CHECK(both.postgres->attempts("m1").value().size() == 1);
  std::vector<std::string> undelivered_a, undelivered_b;
  REQUIRE(both.sqlite
              ->scan_undelivered_messages([&](const OutboxMessage& m) {
                undelivered_a.push_back(m.id);
                return true;
              })
              .has_value());
  REQUIRE(both.postgres
              ->scan_undelivered_messages([&](const OutboxMessage& m) {
                undelivered_b.push_back(m.id);
                return true;
              })
              .has_value());
  CHECK(undelivered_b == undelivered_a);
  CHECK(both.postgres->message("m3").value()->payload == both.sqlite->message("m3").value()->payload);
}
