// The audit log at a large municipality's volume (issue 6): a hash-chained log of N records
// (default 10 million) over three years, ~5,000 persons in ~20,000 cases handled by 300
// caseworkers, with the gateway's mix of kinds and body shapes, written through Store::commit
// in large batches. Then: chain verification in records/s (verify_chain), and search latency
// by person and by case (search_audit, limit 50) against its peer, the same question asked of
// audit_log directly with json_extract, newest first (what one would write without the index).
// Both sides' answers are compared. Figures: records/s, p50/p99 ms, ratios, database size.
//
// usage: audit_search_bench --dir DIR [--records N] [--queries 200] [--peer-queries 20]
//                           [--batch 20000] [--table-sizes 1] [--keep 1] [--reuse 1]
#include "audit/audit_chain.h"
#include "audit/audit_verifier.h"
#include "store/sqlite/sqlite_store.h"

#include <sqlite3.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <ctime>
#include <filesystem>
#include <iostream>
#include <map>
#include <random>
#include <stdexcept>
#include <string>
#include <vector>

namespace kp = knutpunkt;
using Clock = std::chrono::steady_clock;
using Json = nlohmann::json;

namespace {

constexpr int kPersons = 5000;
constexpr int kCases = 20000;
constexpr int kCaseworkers = 300;
constexpr std::int64_t kStartEpoch = 1672531200;  // 2023-01-01T00:00:00Z
constexpr std::int64_t kSpanSeconds = 3LL * 365 * 24 * 3600;

double seconds_since(Clock::time_point t) { return std::chrono::duration<double>(Clock::now() - t).count(); }

// Personnummer with a valid Luhn check digit, 12 digits.
std::string personnummer(int k) {
  const int year = 1950 + k % 60, month = 1 + (k / 60) % 12, day = 1 + (k / 720) % 28, serial = k % 1000;
  char nine[32];
  std::snprintf(nine, sizeof nine, "%02d%02d%02d%03d", year % 100, month % 100, day % 100, serial % 1000);
  int sum = 0;
  for (int i = 0; i < 9; ++i) {
    int d = (nine[i] - '0') * (i % 2 == 0 ? 2 : 1);
    sum += d > 9 ? d - 9 : d;
  }
  char out[48];
  std::snprintf(out, sizeof out, "%04d%s%d", year, nine + 2, (10 - sum % 10) % 10);
  return out;
}

std::string utc_ms(std::int64_t ms) {
  const std::time_t s = static_cast<std::time_t>(ms / 1000);
  std::tm tm{};
  gmtime_r(&s, &tm);
  char out[96];
  std::snprintf(out, sizeof out, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
                tm.tm_hour, tm.tm_min, tm.tm_sec, static_cast<int>(ms % 1000));
  return out;
}

struct CaseFile {
  std::string id;
  std::string client;
  std::string unit;
  int caseworker = 0;
  std::vector<int> household;
};

// The municipality: persons, cases with households, caseworkers, three case systems.
struct World {
  std::vector<std::string> persons;
  std::vector<CaseFile> cases;
  std::vector<std::string> caseworkers;
  std::mt19937_64 rng{20260301};

  World() {
    for (int k = 0; k < kPersons; ++k) persons.push_back(personnummer(k));
    for (int c = 0; c < kCaseworkers; ++c) caseworkers.push_back("hw-" + std::to_string(1000 + c));
    static const char* clients[] = {"stockholm-ekb", "stockholm-ekb-soder", "stockholm-ekb-norr"};
    static const char* units[] = {"Farsta", "Skarholmen", "Rinkeby", "Kungsholmen", "Spanga"};
    for (int c = 0; c < kCases; ++c) {
      CaseFile f;
      f.id = "EB-" + std::to_string(2023 + c % 3) + "-" + std::to_string(100000 + c);
      f.client = clients[c % 3];
      f.unit = units[c % 5];
      f.caseworker = static_cast<int>(rng() % kCaseworkers);
      const int size = 1 + static_cast<int>(rng() % 4);
      for (int m = 0; m < size; ++m) f.household.push_back(static_cast<int>(rng() % kPersons));
      cases.push_back(std::move(f));
    }
  }

  int pick(int n) { return static_cast<int>(rng() % static_cast<std::uint64_t>(n)); }
};

Json caseworker_of(const World& w, const CaseFile& c) { return {{"id", w.caseworkers[c.caseworker]}, {"unit", c.unit}}; }

// One record's kind and body, in the shapes the gateway writes (see tests/unit/audit/audit_index_test.cpp).
std::pair<std::string, Json> make_record(World& w, std::int64_t i) {
  const CaseFile& c = w.cases[w.pick(kCases)];
  const std::string& person = w.persons[c.household[w.pick(static_cast<int>(c.household.size()))]];
  const std::string id = std::to_string(i);
  const int roll = w.pick(100);
  if (roll < 50) {  // lookup
    Json sources = Json::object();
    Json asked = Json::array();
    const bool partial = w.pick(100) < 5;
    for (const char* s : {"AF", "CSN", "FK", "SKV", "SO", "TNS", "MIV"}) {
      asked.push_back(s);
      sources[s] = {{"status", partial && s[0] == 'C' ? "timeout" : "ok"}, {"events", w.pick(4)}, {"latency_ms", 20 + w.pick(400)}};
    }
    return {"lookup",
            {{"lookup_id", "lk-" + id},
             {"outcome", partial ? "partial" : "complete"},
             {"client", c.client},
             {"caseworker", caseworker_of(w, c)},
             {"case_id", c.id},
             {"purpose", "ekonomiskt_bistand"},
             {"legal_basis", "11 kap. 11 a § SoL"},
             {"legal_ground", "law"},
             {"person", {{"id", person}, {"kind", "personnummer"}}},
             {"protected_identity", false},
             {"period", {{"from", "2025-01-01"}, {"to", "2025-03-31"}}},
             {"adapter", "ssbtek"},
             {"sources_asked", asked},
             {"sources", sources}}};
  }
  if (roll < 53) {
    static const char* codes[] = {"no_open_case", "not_in_household", "consent_expired", "purpose_not_allowed"};
    return {"lookup.refused",
            {{"lookup_id", "lk-" + id},
             {"outcome", "refused"},
             {"status", 403},
             {"code", codes[w.pick(4)]},
             {"client", c.client},
             {"adapter", "ssbtek"},
             {"remote_address", "10.20.0." + std::to_string(w.pick(250))},
             {"person", {{"id", person}, {"kind", "personnummer"}}},
             {"case_id", c.id},
             {"purpose", "ekonomiskt_bistand"},
             {"caseworker", caseworker_of(w, c)}}};
  }
  if (roll < 65) {
    const bool ok = w.pick(100) < 90;
    return {"delivery.attempt",
            {{"message_id", "m-" + id},
             {"destination", "jobbtorg-soder"},
             {"message_type", "referral.requested"},
             {"ordering_key", "ref-" + id},
             {"client_id", c.client},
             {"case_id", c.id},
             {"attempt", 1 + w.pick(3)},
             {"endpoint", "https://jobbtorg.example/anvisningar"},
             {"http_status", ok ? 202 : 503},
             {"latency_ms", 30 + w.pick(300)},
             {"outcome", ok ? "delivered" : "retry"},
             {"error", ok ? "" : "http 503"}}};
  }
  if (roll < 69) {
    Json referral = {{"referral_id", "ref-" + id},
                     {"client_id", c.client},
                     {"case_id", c.id},
                     {"municipality", "0180"},
                     {"unit", c.unit},
                     {"district", "soder"},
                     {"person", {{"person_id", person}, {"id_kind", "personnummer"}, {"protected_identity", false}}},
                     {"caseworker", {{"id", w.caseworkers[c.caseworker]}}},
                     {"purpose", "arbetsmarknadsinsats"},
                     {"target_group", "ARBETSLOS"},
                     {"forsorjningshinder", "ARBETSLOS_UTAN_ERSATTNING"},
                     {"extent_hours_per_week", 20},
                     {"start_date", "2025-02-01"},
                     {"consent_reference", ""}};
    return {"referral.accepted",
            {{"referral_id", "ref-" + id}, {"referral", referral}, {"destinations", {"jobbtorg-soder"}}, {"message_ids", {"m-" + id}}}};
  }
  if (roll < 73) {
    return {"referral.report_received",
            {{"partner", "jobbtorg-soder"},
             {"partner_message_id", "pm-" + id},
             {"report_type", "DELTAGANDE"},
             {"reported_at", "2025-02-03"},
             {"referral_id", "ref-" + id},
             {"client_id", c.client},
             {"case_id", c.id},
             {"person_id", person},
             {"event_ids", {"ev-" + id}},
             {"event_types", {"referral.participation_reported"}}}};
  }
  if (roll < 85) {
    return {"event_feed.read", {{"client", c.client}, {"after", i}, {"event_ids", {"ev-" + id + "a", "ev-" + id + "b"}}}};
  }
  if (roll < 90) {
    Json household = Json::array();
    for (int m : c.household) household.push_back(w.persons[m]);
    Json view = {{"case_id", c.id}, {"status", "open"}, {"unit", c.unit}, {"household", household},
                 {"opened_at", "2024-01-01T08:00:00.000Z"}, {"updated_at", "2025-01-01T08:00:00.000Z"}};
    Json body = view;
    body["client"] = c.client;
    body["remote_address"] = "10.20.0.5";
    body["previous"] = view;
    return {"case.updated", body};
  }
  if (roll < 91) {
    return {"consent.recorded",
            {{"consent_id", "c-" + id},
             {"person_id", person},
             {"partner", "jobbtorg-soder"},
             {"information_types", {"HANDLINGSPLAN"}},
             {"given_at", "2025-01-01"},
             {"expires_at", "2026-01-01"},
             {"document_reference", "doc-" + id},
             {"case_id", c.id},
             {"recorded_at", "2025-01-01T08:00:00.000Z"},
             {"state", "valid"},
             {"client", c.client},
             {"remote_address", "10.20.0.5"}}};
  }
  if (roll < 93) {
    return {"consent.read", {{"client", c.client}, {"person_id", person}, {"consent_ids", {"c-" + id}}}};
  }
  if (roll < 96) {
    return {"partner.notification_received",
            {{"partner", "forsakringskassan"},
             {"partner_message_id", "pm-" + id},
             {"report_type", "BESLUT"},
             {"reported_at", "2025-02-03"},
             {"person", {{"id", person}, {"kind", "personnummer"}}},
             {"protected_identity", false},
             {"outcome", "published"},
             {"delivered_to", {{{"client", c.client}, {"case_id", c.id}}}},
             {"event_ids", {"ev-" + id}},
             {"event_types", {"benefit.decision_received"}}}};
  }
  if (roll < 97) {
    Json a = {{"atersokning_id", "as-" + id},
              {"case_id", c.id},
              {"client", c.client},
              {"unit", c.unit},
              {"person", {{"id", person}, {"kind", "personnummer"}}},
              {"purpose", "atersokning"},
              {"benefit_code", "FK:BOB"},
              {"period", {{"from", "2025-01-01"}, {"to", "2025-01-31"}}},
              {"amount_ore", 450000},
              {"decided_on", "2025-01-05"},
              {"caseworker", caseworker_of(w, c)},
              {"protected_identity", false}};
    return {"atersokning.requested",
            {{"atersokning_id", "as-" + id},
             {"atersokning", a},
             {"destination", "forsakringskassan"},
             {"message_id", "m-" + id},
             {"purpose_text", "Återsökning"},
             {"legal_ground", "law"}}};
  }
  return {"case.read", {{"client", c.client}, {"case_id", c.id}}};
}

double percentile(std::vector<double> v, double p) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  const auto at = static_cast<std::size_t>(p * static_cast<double>(v.size() - 1) + 0.5);
  return v[std::min(at, v.size() - 1)];
}

// The peer: the same question asked of audit_log itself, without the index.
struct NaiveSearch {
  sqlite3* db = nullptr;
  sqlite3_stmt* by_person = nullptr;
  sqlite3_stmt* by_case = nullptr;

  explicit NaiveSearch(const std::filesystem::path& file) {
    if (sqlite3_open_v2(file.c_str(), &db, SQLITE_OPEN_READONLY, nullptr) != SQLITE_OK) throw std::runtime_error("open");
    const char* person_sql =
        "SELECT seq FROM audit_log WHERE json_extract(body, '$.person.id') = ?1 OR json_extract(body, '$.person_id') = ?1 "
        "OR json_extract(body, '$.referral.person.person_id') = ?1 OR json_extract(body, '$.atersokning.person.id') = ?1 "
        "OR json_extract(body, '$.consent.person_id') = ?1 "
        "OR EXISTS (SELECT 1 FROM json_each(body, '$.household') WHERE value = ?1) "
        "OR EXISTS (SELECT 1 FROM json_each(body, '$.previous.household') WHERE value = ?1) "
        "ORDER BY seq DESC LIMIT ?2";
    const char* case_sql =
        "SELECT seq FROM audit_log WHERE json_extract(body, '$.case_id') = ?1 OR json_extract(body, '$.referral.case_id') = ?1 "
        "OR json_extract(body, '$.atersokning.case_id') = ?1 OR json_extract(body, '$.consent.case_id') = ?1 "
        "OR json_extract(body, '$.delivered_to[0].case_id') = ?1 ORDER BY seq DESC LIMIT ?2";
    if (sqlite3_prepare_v2(db, person_sql, -1, &by_person, nullptr) != SQLITE_OK ||
        sqlite3_prepare_v2(db, case_sql, -1, &by_case, nullptr) != SQLITE_OK) {
      throw std::runtime_error(sqlite3_errmsg(db));
    }
  }
  ~NaiveSearch() {
    sqlite3_finalize(by_person);
    sqlite3_finalize(by_case);
    sqlite3_close(db);
  }
  NaiveSearch(const NaiveSearch&) = delete;
  NaiveSearch& operator=(const NaiveSearch&) = delete;

  std::vector<std::int64_t> run(sqlite3_stmt* s, const std::string& key, int limit) {
    std::vector<std::int64_t> out;
    sqlite3_bind_text(s, 1, key.c_str(), -1, SQLITE_TRANSIENT);
    sqlite3_bind_int(s, 2, limit);
    while (sqlite3_step(s) == SQLITE_ROW) out.push_back(sqlite3_column_int64(s, 0));
    sqlite3_reset(s);
    return out;
  }
};

struct Latencies {
  std::vector<double> index_ms, naive_ms;
  int compared = 0, agreed = 0;
  std::size_t found = 0;
};

void print_row(const char* what, const Latencies& l) {
  const double ip50 = percentile(l.index_ms, 0.5), ip99 = percentile(l.index_ms, 0.99);
  const double np50 = percentile(l.naive_ms, 0.5), np99 = percentile(l.naive_ms, 0.99);
  std::printf("%-10s %8zu %10.3f %10.3f   %8zu %10.1f %10.1f   %9.0fx   %d/%d\n", what, l.index_ms.size(), ip50, ip99,
              l.naive_ms.size(), np50, np99, np50 / std::max(ip50, 1e-6), l.agreed, l.compared);
}

std::uintmax_t file_size_or_zero(const std::filesystem::path& p) {
  std::error_code ec;
  const auto n = std::filesystem::file_size(p, ec);
  return ec ? 0 : n;
}

}  // namespace

int main(int argc, char** argv) {
  std::map<std::string, std::string> options;
  for (int i = 1; i + 1 < argc; i += 2) options[std::string(argv[i]).substr(2)] = argv[i + 1];
  if (!options.contains("dir")) {
    std::cerr << "usage: audit_search_bench --dir DIR [--records N] [--queries 200] [--peer-queries 20] "
                 "[--batch 20000] [--table-sizes 1] [--keep 1] [--reuse 1]\n";
    return 2;
  }
  const auto option = [&](const char* name, std::int64_t fallback) {
    return options.contains(name) ? std::stoll(options[name]) : fallback;
  };
  const std::int64_t records = option("records", 10'000'000);
  const int queries = static_cast<int>(option("queries", 200));
  const int peer_queries = static_cast<int>(std::min<std::int64_t>(option("peer-queries", 20), queries));
  const std::int64_t batch_size = option("batch", 20'000);
  const bool table_sizes = option("table-sizes", 1) != 0;
  const bool keep = option("keep", 0) != 0;
  // --reuse 1: measure a database an earlier --keep 1 run left (the same N), without building it.
  const bool reuse = option("reuse", 0) != 0;
  const std::filesystem::path db = std::filesystem::path(options["dir"]) / "audit-search-bench.db";
  if (!reuse) {
    for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(db.string() + suffix);
  }

  auto opened = kp::open_sqlite_store(db);
  if (!opened) {
    std::cerr << "cannot open store: " << opened.error().message << "\n";
    return 1;
  }
  kp::Store& store = **opened;
  World world;

  // Build the chain, in group-commit-sized batches far larger than the gateway's, to fill it fast.
  const auto build_started = Clock::now();
  std::string prev = kp::genesis_hash();
  std::vector<kp::AuditRecord> batch;
  batch.reserve(static_cast<std::size_t>(batch_size));
  const std::int64_t step_ms = std::max<std::int64_t>(kSpanSeconds * 1000 / records, 1);
  for (std::int64_t seq = reuse ? records + 1 : 1; seq <= records; ++seq) {
    auto [kind, body] = make_record(world, seq);
    // A batch's records share one timestamp, as the audit writer stamps them (audit_log.cpp).
    const std::int64_t batch_start = ((seq - 1) / 16) * 16 + 1;
    kp::AuditRecord r{seq, utc_ms(kStartEpoch * 1000 + batch_start * step_ms), std::move(kind), std::move(body), prev, {}};
    auto hash = kp::record_hash(r);
    if (!hash) {
      std::cerr << "record " << seq << " has no canonical form: " << hash.error().message << "\n";
      return 1;
    }
    r.hash = prev = std::move(*hash);
    batch.push_back(std::move(r));
    if (static_cast<std::int64_t>(batch.size()) == batch_size || seq == records) {
      if (auto ok = store.commit(batch, {}); !ok) {
        std::cerr << "commit failed: " << ok.error().message << "\n";
        return 1;
      }
      batch.clear();
      if (seq % std::max<std::int64_t>(records / 10, 1) < batch_size) {
        std::fprintf(stderr, "  built %lld records (%.0f s)\n", static_cast<long long>(seq), seconds_since(build_started));
      }
    }
  }
  const double build_seconds = seconds_since(build_started);

  // Verification: the whole chain, from seq 1.
  const auto verify_started = Clock::now();
  auto report = kp::verify_chain(store);
  const double verify_seconds = seconds_since(verify_started);
  if (!report || !report->intact() || report->records != records) {
    std::cerr << "verification failed\n";
    return 1;
  }

  // Searches: random persons and cases, the index against its peer; the peer's answers (first
  // `peer_queries` keys) must be the same records.
  NaiveSearch naive(db);
  std::mt19937_64 rng(7);
  Latencies persons, cases;
  const auto measure = [&](Latencies& l, bool by_person, sqlite3_stmt* peer) {
    for (int k = 0; k < queries; ++k) {
      kp::AuditQuery q;
      q.limit = 50;
      std::string key = by_person ? world.persons[rng() % kPersons] : world.cases[rng() % kCases].id;
      (by_person ? q.person_id : q.case_id) = key;
      const auto t = Clock::now();
      auto found = store.search_audit(q);
      l.index_ms.push_back(seconds_since(t) * 1000);
      if (!found) {
        std::cerr << "search failed: " << found.error().message << "\n";
        std::exit(1);
      }
      l.found += found->size();
      if (k < peer_queries) {
        const auto t2 = Clock::now();
        auto slow = naive.run(peer, key, 50);
        l.naive_ms.push_back(seconds_since(t2) * 1000);
        std::vector<std::int64_t> fast;
        for (const auto& r : *found) fast.push_back(r.record.seq);
        ++l.compared;
        if (fast == slow) ++l.agreed;
      }
    }
  };
  measure(persons, true, naive.by_person);
  measure(cases, false, naive.by_case);

  // What the rest of the auditors' API asks: log checks over a month, timelines, broad searches.
  const auto at = [&](std::int64_t seconds) { return utc_ms((kStartEpoch + seconds) * 1000); };
  const std::int64_t month = 30LL * 24 * 3600;
  kp::AuditQuery check;
  check.operation = "lookup";
  check.since = at(kSpanSeconds - month);
  check.until = at(kSpanSeconds);
  std::int64_t checked = 0;
  auto t = Clock::now();
  if (!store.scan_audit_index(check, true, [&](const kp::IndexedAuditRecord&) { return ++checked > 0; })) return 1;
  const double check_seconds = seconds_since(t);

  std::vector<double> timeline_ms, month_ms, range_ms, refused_ms;
  std::int64_t timeline_records = 0;
  for (int k = 0; k < peer_queries; ++k) {
    kp::AuditQuery q;
    q.person_id = world.persons[rng() % kPersons];
    t = Clock::now();
    if (!store.scan_audit_index(q, true, [&](const kp::IndexedAuditRecord&) { return ++timeline_records > 0; })) return 1;
    timeline_ms.push_back(seconds_since(t) * 1000);

    kp::AuditQuery window;
    const std::int64_t from = static_cast<std::int64_t>(rng() % static_cast<std::uint64_t>(kSpanSeconds - month));
    window.since = at(from);
    window.until = at(from + month);
    t = Clock::now();
    if (!store.search_audit(window)) return 1;
    month_ms.push_back(seconds_since(t) * 1000);
    t = Clock::now();
    if (!store.audit_seq_range(window.since, window.until)) return 1;
    range_ms.push_back(seconds_since(t) * 1000);
  }
  kp::AuditQuery refused;
  refused.outcome = "refused";
  for (int k = 0; k < peer_queries; ++k) {
    t = Clock::now();
    auto page = store.search_audit(refused);
    refused_ms.push_back(seconds_since(t) * 1000);
    if (!page || page->empty()) return 1;
    refused.before_seq = page->back().record.seq;
  }

  const std::uintmax_t bytes = file_size_or_zero(db) + file_size_or_zero(db.string() + "-wal");
  std::printf("audit search benchmark: %lld records over 3 years, %d persons, %d cases, %d caseworkers; SQLite WAL\n",
              static_cast<long long>(records), kPersons, kCases, kCaseworkers);
  if (!reuse) {
    std::printf("build (hash chain + commit, %lld-record batches): %.0f records/s (%.0f s)\n",
                static_cast<long long>(batch_size), static_cast<double>(records) / build_seconds, build_seconds);
  }
  std::printf("verify_chain: %.0f records/s (%.1f s for %lld records)\n", static_cast<double>(records) / verify_seconds,
              verify_seconds, static_cast<long long>(records));
  std::printf("\nsearch, limit 50, newest first: the audit index against its peer (json_extract over audit_log)\n");
  std::printf("%-10s %8s %10s %10s   %8s %10s %10s   %10s   %s\n", "by", "queries", "p50 ms", "p99 ms", "peer q",
              "peer p50", "peer p99", "p50 ratio", "same answer");
  print_row("person", persons);
  print_row("case", cases);
  std::printf("(average hits per query: person %.1f, case %.1f)\n",
              static_cast<double>(persons.found) / queries, static_cast<double>(cases.found) / queries);
  std::printf("\nother reads (%d each; ms p50 / p99)\n", peer_queries);
  std::printf("  log check scan, lookups in the last 30 days, oldest first: %lld records in %.2f s (%.0f records/s)\n",
              static_cast<long long>(checked), check_seconds, static_cast<double>(checked) / check_seconds);
  std::printf("  person timeline, every record oldest first (avg %.0f records): %.2f / %.2f\n",
              static_cast<double>(timeline_records) / peer_queries, percentile(timeline_ms, 0.5),
              percentile(timeline_ms, 0.99));
  std::printf("  time window only (a random 30 days), newest 50: %.2f / %.2f\n", percentile(month_ms, 0.5),
              percentile(month_ms, 0.99));
  std::printf("  audit_seq_range of a random 30 days: %.2f / %.2f\n", percentile(range_ms, 0.5), percentile(range_ms, 0.99));
  std::printf("  refusals newest first, consecutive pages of 50: %.2f / %.2f\n", percentile(refused_ms, 0.5),
              percentile(refused_ms, 0.99));
  std::printf("\ndatabase: %.2f GB (%.0f bytes/record)\n", static_cast<double>(bytes) / 1e9,
              static_cast<double>(bytes) / static_cast<double>(records));
  if (table_sizes) {
    // Where the bytes are: the log itself against the index (dbstat reads every page once).
    sqlite3_stmt* s = nullptr;
    if (sqlite3_prepare_v2(naive.db, "SELECT name, SUM(pgsize) FROM dbstat GROUP BY name HAVING SUM(pgsize) > 1000000 ORDER BY 2 DESC", -1, &s,
                           nullptr) == SQLITE_OK) {
      while (sqlite3_step(s) == SQLITE_ROW) {
        std::printf("  %-26s %8.1f MB\n", reinterpret_cast<const char*>(sqlite3_column_text(s, 0)),
                    static_cast<double>(sqlite3_column_int64(s, 1)) / 1e6);
      }
    } else {
      std::printf("  (no dbstat in this SQLite build)\n");
    }
    sqlite3_finalize(s);
  }
  if (!keep) {
    opened->reset();
    for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(db.string() + suffix);
  }
  return (persons.agreed == persons.compared && cases.agreed == cases.compared) ? 0 : 1;
}
