// The auditors' API through the real gateway binary: roles, sign-in, search filters, log checks
// on seeded data, chain status, a signed export verified offline (and failing once altered) and
// streamed, and four-eyes retention that reaches no further back than audit.retention_days.
#include <algorithm>
#include <catch2/catch.hpp>
#include <chrono>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <thread>

#include "audit/audit_chain.h"
#include "core/clock.h"
#include "gateway_harness.h"
#include "relative_dates.h"
#include "store/sqlite/sqlite_store.h"

using namespace knutpunkt::testing;

namespace {

HttpReply audit_get(GatewayHarness& gw, const std::string& path, const std::string& token = kAuditorToken) {
  return gw.get_with(path, bearer(token));
}

// A search or a person's timeline: the filters in the body, never in the URL.
HttpReply audit_post(GatewayHarness& gw, const std::string& path, const nlohmann::json& body,
                     const std::string& token = kAuditorToken) {
  return gw.post(path, body.dump(), bearer(token));
}

HttpReply search(GatewayHarness& gw, const nlohmann::json& filters, const std::string& token = kAuditorToken) {
  return audit_post(gw, "/v1/audit/records/search", filters, token);
}

std::set<std::string> kinds_of(const HttpReply& reply) {
  std::set<std::string> kinds;
  for (const auto& r : reply.body["records"]) kinds.insert(r["kind"].get<std::string>());
  return kinds;
}

// Three lookups (one of a protected person), one refused for want of a case, one for a person
// outside the household.
void seed(GatewayHarness& gw) {
  REQUIRE(gw.lookup(full_lookup_request("19121212-1212")).status == 200);
  REQUIRE(gw.lookup(full_lookup_request("19811218-9876")).status == 200);
  REQUIRE(gw.lookup(full_lookup_request("197010632391")).status == 200);
  auto no_case = full_lookup_request("19121212-1212");
  no_case["case_id"] = "EB-2026-404404";
  REQUIRE(gw.lookup(no_case).status == 403);
  REQUIRE(gw.register_case("EB-2026-000500", {"191212121212"}).status == 201);
  auto outsider = full_lookup_request("19850709-2388");
  outsider["case_id"] = "EB-2026-000500";
  REQUIRE(gw.lookup(outsider).status == 403);
}

std::string sign_in(GatewayHarness& gw, const std::string& user, const std::string& password) {
  auto reply = gw.post("/v1/auth/session", nlohmann::json{{"username", user}, {"password", password}}.dump(), {});
  REQUIRE(reply.status == 201);
  return reply.body["token"].get<std::string>();
}

// `count` chained lookup records recorded `days_ago` days ago (a second apart), written straight
// into a new database as if the gateway had recorded them then.
void write_old_records(const std::filesystem::path& db, int count, int days_ago) {
  auto store = knutpunkt::open_sqlite_store(db);
  REQUIRE(store.has_value());
  std::vector<knutpunkt::AuditRecord> records;
  std::string prev = knutpunkt::genesis_hash();
  const auto start = std::chrono::system_clock::now() - std::chrono::days{days_ago};
  for (int i = 1; i <= count; ++i) {
    knutpunkt::AuditRecord r;
    r.seq = i;
    r.recorded_at = knutpunkt::format_utc(start + std::chrono::seconds{i});
    r.kind = "lookup";
    r.body = {{"n", i}, {"client", "case-system"}};
    r.prev_hash = prev;
    auto hash = knutpunkt::record_hash(r);
    REQUIRE(hash.has_value());
    r.hash = prev = *hash;
    records.push_back(std::move(r));
  }
  REQUIRE((*store)->append_audit(records).has_value());
}

// The process's peak resident memory (VmHWM) in kB.
long peak_memory_kb(pid_t pid) {
  std::ifstream status("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(status, line)) {
    if (line.rfind("VmHWM:", 0) == 0) return std::stol(line.substr(6));
  }
  FAIL("no VmHWM in /proc/" << pid << "/status");
  return 0;
}

}  // namespace

TEST_CASE("the audit API is for auditors only: a case system's token gets 403, no token 401, and both are audited") {
  GatewayHarness gw("audit_api_roles");
  auto as_case_system = search(gw, nlohmann::json::object(), kCaseSystemToken);
  CHECK(as_case_system.status == 403);
  CHECK(as_case_system.body["code"] == "role_not_allowed");
  CHECK(audit_get(gw, "/v1/audit/reports", kCaseSystemToken).status == 403);
  CHECK(audit_get(gw, "/v1/audit/chain", kCaseSystemToken).status == 403);
  CHECK(gw.post("/v1/audit/records/search", "{}", {}).status == 401);
  CHECK(search(gw, nlohmann::json::object()).status == 200);
  // The three 403s name a client: a record each. The 401 names none: counted for its address in
  // one record a minute, appended here at the clean stop.
  gw.stop_gateway();
  int refused = 0;
  std::uint64_t unauthenticated = 0;
  for (const auto& r : gw.audit_records()) {
    refused += r.kind == "audit.access_refused" ? 1 : 0;
    if (r.kind != "http.unauthenticated_refusals") continue;
    for (const auto& x : r.body["refused"]) {
      if (x["route"] == "POST /v1/audit/records/search" && x["status"] == 401)
        unauthenticated += x["count"].get<std::uint64_t>();
    }
  }
  CHECK(refused == 3);
  CHECK(unauthenticated == 1);
}

TEST_CASE("an auditor signs in with a password, uses the session token, and signs out") {
  GatewayHarness gw("audit_api_session");
  const auto sign_in = [&](const std::string& user, const std::string& password) {
    return gw.post("/v1/auth/session", nlohmann::json{{"username", user}, {"password", password}}.dump(), {});
  };
  auto wrong = sign_in(kAuditorUser, "not-the-password");
  CHECK(wrong.status == 401);
  CHECK(wrong.body["code"] == "invalid_credentials");
  auto unknown = sign_in("nobody", "whatever-password");
  CHECK(unknown.status == 401);
  CHECK(unknown.body == wrong.body);  // the answer does not tell which names exist

  auto session = sign_in(kAuditorUser, kAuditorPassword);
  INFO(session.body.dump());
  REQUIRE(session.status == 201);
  const std::string token = session.body["token"];
  CHECK(session.body["user"]["roles"] == nlohmann::json({"auditor"}));
  CHECK(search(gw, nlohmann::json::object(), token).status == 200);
  // A session grants what the user's roles grant, nothing more.
  CHECK(gw.get_with("/v1/dead-letters", bearer(token)).status == 403);

  CHECK(gw.del("/v1/auth/session", bearer(token)).status == 204);
  CHECK(search(gw, nlohmann::json::object(), token).status == 401);

  std::set<std::string> kinds;
  for (const auto& r : gw.audit_records()) kinds.insert(r.kind);
  CHECK(kinds.contains("auth.signed_in"));
  CHECK(kinds.contains("auth.refused"));
  CHECK(kinds.contains("auth.signed_out"));
  // The password is nowhere in the log.
  for (const auto& r : gw.audit_records()) CHECK(r.body.dump().find(kAuditorPassword) == std::string::npos);

  // The sign-in cleared the failure before it: five more are answered before the name locks, and
  // then even the right password is refused, and audited.
  for (int i = 0; i < 5; ++i) CHECK(sign_in(kAuditorUser, "guess-number-" + std::to_string(i)).status == 401);
  auto locked = sign_in(kAuditorUser, kAuditorPassword);
  CHECK(locked.status == 429);
  CHECK(locked.body["code"] == "too_many_attempts");
  int lock_refusals = 0;
  for (const auto& r : gw.audit_records()) {
    lock_refusals += r.kind == "auth.refused" && r.body.value("code", "") == "too_many_attempts" ? 1 : 0;
  }
  CHECK(lock_refusals == 1);
}

TEST_CASE("two gateways on one database share console sessions and the sign-in limit; a restart signs no one out") {
  auto a = std::make_unique<GatewayHarness>("audit_api_two_instances_a");
  const std::string shared_db = a->db_path().string();
  HarnessOptions on_a_database;
  on_a_database.edit_config = [&](nlohmann::json& config) { config["store"]["path"] = shared_db; };
  GatewayHarness b("audit_api_two_instances_b", on_a_database);
  const auto sign_in = [](GatewayHarness& gw, const std::string& user, const std::string& password) {
    return gw.post("/v1/auth/session", nlohmann::json{{"username", user}, {"password", password}}.dump(), {});
  };

  auto session = sign_in(*a, kAuditorUser, kAuditorPassword);
  REQUIRE(session.status == 201);
  const std::string token = session.body["token"];
  CHECK(search(b, nlohmann::json::object(), token).status == 200);
  CHECK(b.del("/v1/auth/session", bearer(token)).status == 204);
  CHECK(search(*a, nlohmann::json::object(), token).status == 401);

  // A restart of A signs no one out.
  auto kept = sign_in(b, kAuditorUser, kAuditorPassword);
  REQUIRE(kept.status == 201);
  a.reset();
  GatewayHarness restarted("audit_api_two_instances_c", on_a_database);
  CHECK(search(restarted, nlohmann::json::object(), kept.body["token"]).status == 200);

  // Guesses spread over both meet one budget of five; the lock is recorded once.
  for (int i = 0; i < 5; ++i) {
    CHECK(sign_in(i % 2 == 0 ? b : restarted, kAdminUser, "guess-number-" + std::to_string(i)).status == 401);
  }
  CHECK(sign_in(b, kAdminUser, "guess-number-5").status == 429);
  CHECK(sign_in(restarted, kAdminUser, "guess-number-6").status == 429);
  int locks = 0;
  for (const auto& r : read_audit_records(shared_db)) {
    locks += r.kind == "auth.locked" && r.body.value("limit", "") == "user" ? 1 : 0;
  }
  CHECK(locks == 1);
}

TEST_CASE(
    "fifty guesses sent at once get at most five answers, the right password after them is refused, and the lock is "
    "audited") {
  GatewayHarness gw("audit_api_parallel_guesses");
  unsigned short port = 0;
  std::ifstream(gw.dir() / "gateway.port") >> port;
  REQUIRE(port != 0);
  const auto sign_in = [port](const std::string& password) {
    httplib::Client client("127.0.0.1", port);
    client.set_read_timeout(30, 0);
    return client.Post("/v1/auth/session", nlohmann::json{{"username", kAdminUser}, {"password", password}}.dump(),
                       "application/json");
  };

  constexpr int kGuesses = 50;
  std::vector<int> statuses(kGuesses, 0);
  std::vector<std::thread> guessers;
  for (int i = 0; i < kGuesses; ++i) {
    guessers.emplace_back([&, i] {
      const auto reply = sign_in("parallel-guess-" + std::to_string(i));
      statuses[i] = reply ? reply->status : -1;
    });
  }
  for (auto& t : guessers) t.join();
  const auto answered = std::count(statuses.begin(), statuses.end(), 401);
  const auto refused = std::count(statuses.begin(), statuses.end(), 429);
  CHECK(answered == 5);
  CHECK(refused == kGuesses - 5);

  const auto right = sign_in(kAdminPassword);
  REQUIRE(right);
  CHECK(right->status == 429);
  CHECK(nlohmann::json::parse(right->body)["code"] == "too_many_attempts");
  REQUIRE(right->has_header("Retry-After"));
  const int retry_after = std::stoi(right->get_header_value("Retry-After"));
  CHECK(retry_after > 0);
  CHECK(retry_after <= 15 * 60);

  // The lock is on record, with the name and where the guesses came from; the guesses are not.
  const auto records = gw.audit_records();
  int locks = 0;
  for (const auto& r : records) {
    if (r.kind != "auth.locked") continue;
    ++locks;
    CHECK(r.body["limit"] == "user");
    CHECK(r.body["username"] == kAdminUser);
    CHECK(r.body["remote_address"] == "127.0.0.1");
    CHECK(r.body.contains("until"));
  }
  CHECK(locks == 1);
  for (const auto& r : records) CHECK(r.body.dump().find("parallel-guess-") == std::string::npos);
  // The application log holds neither the user name given nor the guesses.
  std::ifstream log(gw.gateway_log());
  const std::string log_text((std::istreambuf_iterator<char>(log)), std::istreambuf_iterator<char>());
  CHECK(log_text.find("\"username\"") == std::string::npos);
  CHECK(log_text.find("parallel-guess-") == std::string::npos);
}

TEST_CASE("an address that fails across many user names is refused for every name") {
  GatewayHarness gw("audit_api_address_limit");
  const auto sign_in = [&](const std::string& user) {
    return gw.post("/v1/auth/session", nlohmann::json{{"username", user}, {"password", "a-wrong-password"}}.dump(), {});
  };
  // Four tries at each of five names (none reaches its own limit of five): twenty from the address.
  for (int i = 0; i < 20; ++i) CHECK(sign_in("guessed-name-" + std::to_string(i % 5)).status == 401);
  auto refused = sign_in("another-name");
  CHECK(refused.status == 429);
  CHECK(refused.body["code"] == "too_many_attempts");
  auto right = gw.post("/v1/auth/session",
                       nlohmann::json{{"username", kAuditorUser}, {"password", kAuditorPassword}}.dump(), {});
  CHECK(right.status == 429);
  bool address_locked = false;
  for (const auto& r : gw.audit_records()) {
    address_locked = address_locked || (r.kind == "auth.locked" && r.body["limit"] == "address" &&
                                        r.body["remote_address"] == "127.0.0.1" && !r.body.contains("username"));
  }
  CHECK(address_locked);
}

TEST_CASE("search filters by person, case, operation and outcome, pages newest first, and is itself audited") {
  GatewayHarness gw("audit_api_search");
  seed(gw);

  // Every form of the personnummer finds the same records: lookups, the refusal, the households.
  auto by_person = search(gw, {{"person", "19121212-1212"}, {"limit", 500}});
  INFO(by_person.body.dump(2).substr(0, 2000));
  REQUIRE(by_person.status == 200);
  const auto kinds = kinds_of(by_person);
  CHECK(kinds.contains("lookup"));
  CHECK(kinds.contains("lookup.refused"));
  CHECK(kinds.contains("case.registered"));
  for (const auto& r : by_person.body["records"]) {
    const auto& persons = r["persons"];
    CHECK(std::find(persons.begin(), persons.end(), "191212121212") != persons.end());
  }
  // 10 digits with "+": over a hundred years old, so 1912. The same records, and one more: the
  // first search, which is itself on record under the person searched for.
  auto again = search(gw, {{"person", "121212+1212"}, {"limit", 500}});
  REQUIRE(again.body["records"].size() == by_person.body["records"].size() + 1);
  CHECK(again.body["records"][0]["kind"] == "audit.searched");

  auto refusals = search(gw, {{"operation", "lookup"}, {"outcome", "refused"}});
  REQUIRE(refusals.status == 200);
  REQUIRE(refusals.body["records"].size() == 2);
  // Newest first: the household refusal came last.
  CHECK(refusals.body["records"][0]["reason"] == "not_in_household");
  CHECK(refusals.body["records"][1]["reason"] == "no_open_case");

  auto by_case = search(gw, {{"case_id", "EB-2026-000500"}});
  std::set<std::string> case_kinds = kinds_of(by_case);
  CHECK(case_kinds == std::set<std::string>{"case.registered", "lookup.refused"});

  // Paging: one at a time, every record once, in strictly falling seq.
  std::vector<std::int64_t> seqs;
  std::string cursor;
  for (int page = 0; page < 20; ++page) {
    nlohmann::json filters = {{"operation", "lookup"}, {"limit", 1}};
    if (!cursor.empty()) filters["cursor"] = cursor;
    auto reply = search(gw, filters);
    REQUIRE(reply.status == 200);
    for (const auto& r : reply.body["records"]) seqs.push_back(r["seq"]);
    if (!reply.body["has_more"].get<bool>()) break;
    cursor = reply.body["next_cursor"];
  }
  CHECK(seqs.size() == 5);
  CHECK(std::is_sorted(seqs.rbegin(), seqs.rend()));

  // Bad filters are named.
  auto bad = search(gw, {{"person", "19121212-1213"}, {"limit", 9999}, {"colour", "red"}});
  CHECK(bad.status == 400);
  std::set<std::string> names;
  for (const auto& p : bad.body["invalid-params"]) names.insert(p["name"].get<std::string>());
  CHECK(names == std::set<std::string>{"person", "limit", "colour"});

  // Who searched for whom is on record.
  bool searched = false;
  for (const auto& r : gw.audit_records()) {
    if (r.kind == "audit.searched" && r.body["filters"].value("person", "") == "191212121212") {
      searched = true;
      CHECK(r.body["auditor"] == "audit-machine");
    }
  }
  CHECK(searched);
}

TEST_CASE("timelines list a case's and a person's records oldest first") {
  GatewayHarness gw("audit_api_timelines");
  seed(gw);
  auto case_timeline = audit_get(gw, "/v1/audit/cases/EB-2026-000500/timeline");
  REQUIRE(case_timeline.status == 200);
  REQUIRE(case_timeline.body["records"].size() == 2);
  CHECK(case_timeline.body["records"][0]["kind"] == "case.registered");
  CHECK(case_timeline.body["records"][1]["kind"] == "lookup.refused");

  auto person = audit_post(gw, "/v1/audit/persons/timeline", {{"person", "198112189876"}});
  REQUIRE(person.status == 200);
  std::int64_t last = 0;
  for (const auto& r : person.body["records"]) {
    CHECK(r["seq"].get<std::int64_t>() > last);
    last = r["seq"];
  }
  CHECK(kinds_of(person).contains("lookup"));
  CHECK(audit_post(gw, "/v1/audit/persons/timeline", {{"person", "19811218-9877"}}).status == 400);
}

TEST_CASE("log checks find what was seeded") {
  GatewayHarness gw("audit_api_reports");
  seed(gw);
  auto list = audit_get(gw, "/v1/audit/reports");
  REQUIRE(list.status == 200);
  CHECK(list.body["reports"].size() == 7);  // self_authorisation included

  auto without_case = audit_get(gw, "/v1/audit/reports/lookups_without_open_case");
  INFO(without_case.body.dump(2));
  REQUIRE(without_case.status == 200);
  REQUIRE(without_case.body["rows"].size() == 2);
  std::set<std::string> reasons;
  for (const auto& row : without_case.body["rows"]) reasons.insert(row["reason"].get<std::string>());
  CHECK(reasons == std::set<std::string>{"no_open_case", "not_in_household"});
  CHECK(without_case.body["title"] == "Slagningar utan öppet ärende");

  auto protected_lookups = audit_get(gw, "/v1/audit/reports/protected_person_lookups");
  REQUIRE(protected_lookups.status == 200);
  REQUIRE(protected_lookups.body["rows"].size() == 1);
  CHECK(protected_lookups.body["rows"][0]["person"] == "198112189876");
  CHECK(protected_lookups.body["rows"][0]["caseworker"] == "hand-0042");

  auto by_reason = audit_get(gw, "/v1/audit/reports/refusals_by_reason");
  REQUIRE(by_reason.status == 200);
  int lookup_refusals = 0;
  for (const auto& row : by_reason.body["rows"]) {
    if (row["kind"] == "lookup.refused") lookup_refusals += row["count"].get<int>();
  }
  CHECK(lookup_refusals == 2);

  // A period before anything happened is empty; an unknown report is 404.
  CHECK(audit_get(gw, "/v1/audit/reports/protected_person_lookups?since=2020-01-01&until=2020-02-01")
            .body["rows"]
            .empty());
  CHECK(audit_get(gw, "/v1/audit/reports/nothing_such").status == 404);
  CHECK(audit_get(gw, "/v1/audit/reports/out_of_hours?since=yesterday").status == 400);
}

TEST_CASE("the chain's status is verified in the background and reported intact") {
  GatewayHarness gw("audit_api_chain");
  seed(gw);
  nlohmann::json status;
  REQUIRE(eventually([&] {
    status = audit_get(gw, "/v1/audit/chain").body;
    return status["state"] == "done";
  }));
  CHECK(status["intact"] == true);
  CHECK(status["records"].get<int>() > 5);
}

TEST_CASE("an export made through the API verifies offline, and fails once a byte is changed or a line removed") {
  GatewayHarness gw("audit_api_export");
  seed(gw);
  auto made = gw.post("/v1/audit/exports", R"({"format": "jsonl"})", bearer(kAuditorToken));
  INFO(made.body.dump(2));
  REQUIRE(made.status == 201);
  CHECK(made.body["records"].get<int>() > 5);
  CHECK(made.body["manifest"]["signature_algorithm"] == "Ed25519");

  auto file = gw.get_with(made.body["file"], bearer(kAuditorToken));
  CHECK(file.status == 200);
  CHECK(gw.get_with(made.body["file"], bearer(kCaseSystemToken)).status == 403);

  auto manifest = gw.get_with(made.body["manifest_file"], bearer(kAuditorToken));
  CHECK(manifest.status == 200);
  CHECK(manifest.body["signature"] == made.body["manifest"]["signature"]);

  // Both parts moved to another folder, as to another machine, and verified there.
  const auto elsewhere = gw.dir() / "elsewhere";
  std::filesystem::create_directories(elsewhere);
  const auto exported = elsewhere / made.body["manifest"]["file"]["name"].get<std::string>();
  const std::string id = made.body["export_id"];
  std::filesystem::copy_file(gw.dir() / "exports" / (id + ".jsonl"), exported);
  std::filesystem::copy_file(gw.dir() / "exports" / (id + ".jsonl.manifest.json"),
                             exported.string() + ".manifest.json");

  const auto verify = [&] {
    std::string output;
    const int code = run_command({gateway_binary().string(), "audit", "verify", "--export", exported.string(),
                                  "--public-key", gw.audit_public_key().string()},
                                 output);
    INFO(output);
    return code;
  };
  CHECK(verify() == 0);

  std::string text;
  {
    std::ifstream in(exported);
    std::stringstream buffer;
    buffer << in.rdbuf();
    text = buffer.str();
  }
  // One byte of one record's content changed.
  std::string changed = text;
  const auto at = changed.find("hand-0042");
  REQUIRE(at != std::string::npos);
  changed[at + 5] = '9';
  std::ofstream(exported, std::ios::trunc) << changed;
  CHECK(verify() == 1);
  // One line removed.
  std::string shorter = text;
  const auto second_line = shorter.find('\n') + 1;
  shorter.erase(second_line, shorter.find('\n', second_line) + 1 - second_line);
  std::ofstream(exported, std::ios::trunc) << shorter;
  CHECK(verify() == 1);
  // Put back as exported: intact again.
  std::ofstream(exported, std::ios::trunc) << text;
  CHECK(verify() == 0);

  bool audited = false;
  for (const auto& r : gw.audit_records()) audited = audited || r.kind == "audit.exported";
  CHECK(audited);
}

TEST_CASE("retention through the API takes two admins and reaches no further back than audit.retention_days") {
  // Twenty records from 40 days ago, laid down before the gateway starts; 30 days' retention.
  constexpr int kOld = 20;
  HarnessOptions options;
  options.audit_retention_days = 30;
  options.before_gateway_starts = [](const std::filesystem::path& db) { write_old_records(db, kOld, 40); };
  GatewayHarness gw("audit_api_retention", options);
  seed(gw);
  const std::string admin = sign_in(gw, kAdminUser, kAdminPassword);
  const std::string second_admin = sign_in(gw, kSecondAdminUser, kSecondAdminPassword);
  // Between the old records and the floor (now − 30 days).
  const std::string before = time_from_now(-std::chrono::days{35});

  // An auditor reads the log; only an admin removes from it.
  CHECK(gw.post("/v1/audit/retention", nlohmann::json{{"before", before}}.dump(), bearer(kAuditorToken)).status == 403);
  CHECK(gw.post("/v1/audit/retention", R"({"before": "last week"})", bearer(admin)).status == 400);
  // Later than the floor: refused, naming the field, and nothing recorded as a request.
  auto too_late = gw.post("/v1/audit/retention",
                          nlohmann::json{{"before", time_from_now(-std::chrono::days{29})}}.dump(), bearer(admin));
  CHECK(too_late.status == 422);
  CHECK(too_late.body["code"] == "after_retention_floor");
  CHECK(too_late.body["invalid-params"][0]["name"] == "before");

  // Admin A asks: recorded, nothing removed yet.
  const auto seeded = gw.audit_records().size();
  auto requested = gw.post("/v1/audit/retention", nlohmann::json{{"before", before}}.dump(), bearer(admin));
  INFO(requested.body.dump());
  REQUIRE(requested.status == 202);
  const std::string id = requested.body["request_id"];
  const auto expires = knutpunkt::parse_utc(requested.body["expires_at"].get<std::string>());
  REQUIRE(expires.has_value());
  CHECK(*expires > std::chrono::system_clock::now() + std::chrono::hours{23});
  CHECK(gw.audit_records().size() == seeded + 1);
  CHECK(gw.audit_records().front().seq == 1);

  // A cannot approve their own request, not even from another session.
  const std::string approval = "/v1/audit/retention/" + id + "/approval";
  auto own = gw.post(approval, "", bearer(sign_in(gw, kAdminUser, kAdminPassword)));
  CHECK(own.status == 403);
  CHECK(own.body["code"] == "four_eyes");
  CHECK(gw.audit_records().front().seq == 1);

  // Admin B approves: it runs.
  auto removed = gw.post(approval, "", bearer(second_admin));
  INFO(removed.body.dump());
  REQUIRE(removed.status == 200);
  CHECK(removed.body["removed_records"] == kOld);
  CHECK(removed.body["from_seq"] == 1);
  CHECK(removed.body["through_seq"] == kOld);
  // Used once: approving again, by anyone, is refused.
  CHECK(gw.post(approval, "", bearer(second_admin)).status == 409);
  CHECK(gw.post("/v1/audit/retention/999999/approval", "", bearer(second_admin)).status == 404);

  // What remains verifies, the checkpoint's signature holds, and the chain says what went.
  nlohmann::json status;
  REQUIRE(eventually([&] {
    status = audit_get(gw, "/v1/audit/chain").body;
    return status["state"] == "done" && status.contains("checkpoint") &&
           status["checkpoint"]["through_seq"] == removed.body["through_seq"];
  }));
  CHECK(status["intact"] == true);
  CHECK(status["checkpoint"]["signature_valid"] == true);
  REQUIRE(status["weeded"].size() == 1);
  CHECK(status["weeded"][0]["from_seq"] == 1);
  CHECK(status["weeded"][0]["through_seq"] == kOld);
  CHECK(status["weeded"][0]["by"] == std::string("user:") + kSecondAdminUser);
  CHECK(status["weeded"][0]["request"]["by"] == std::string("user:") + kAdminUser);

  const auto records = gw.audit_records();
  CHECK(records.front().seq == kOld + 1);
  std::map<std::string, int> kinds;
  for (const auto& r : records) ++kinds[r.kind];
  CHECK(kinds["audit.retention_requested"] == 1);
  CHECK(kinds["audit.retention_approved"] == 1);
  CHECK(kinds["audit.retention_applied"] == 1);
  // The refusals: the auditor, the bad date, the late cut-off, the own approval, the reuse, the unknown id.
  CHECK(kinds["audit.retention_refused"] == 6);

  gw.stop_gateway();
  std::string output;
  CHECK(run_command({gateway_binary().string(), "audit", "verify", "--db", gw.db_path().string(), "--public-key",
                     gw.audit_public_key().string()},
                    output) == 0);
  INFO(output);
  const auto verified = nlohmann::json::parse(output);
  CHECK(verified["checkpoint"]["signature_valid"] == true);
  REQUIRE(verified["weeded"].size() == 1);
  CHECK(verified["weeded"][0]["from_seq"] == 1);
  CHECK(verified["weeded"][0]["through_seq"] == kOld);
  CHECK(verified["weeded"][0]["removed_before"] == before);
  CHECK(verified["weeded"][0]["approval_seq"].is_number());
}

TEST_CASE("with retention_days 0 an admin's retention request is refused and nothing is removed") {
  GatewayHarness gw("audit_api_retention_kept", [] {
    HarnessOptions options;
    options.before_gateway_starts = [](const std::filesystem::path& db) { write_old_records(db, 5, 400); };
    return options;
  }());
  const std::string admin = sign_in(gw, kAdminUser, kAdminPassword);
  auto refused = gw.post("/v1/audit/retention",
                         nlohmann::json{{"before", time_from_now(-std::chrono::days{100})}}.dump(), bearer(admin));
  CHECK(refused.status == 422);
  CHECK(refused.body["code"] == "kept_for_ever");
  CHECK(refused.body["invalid-params"][0]["name"] == "before");
  CHECK(gw.audit_records().front().seq == 1);
  bool audited = false;
  for (const auto& r : gw.audit_records()) audited = audited || r.kind == "audit.retention_refused";
  CHECK(audited);
}

TEST_CASE("an auditor's bad query is refused 400, a missing report or export 404, and each refusal is audited") {
  GatewayHarness gw("audit_api_bad_query");
  const auto refusals = [&] {
    int n = 0;
    for (const auto& r : gw.audit_records()) n += r.kind == "audit.access_refused" && r.body["status"] == 400 ? 1 : 0;
    return n;
  };
  CHECK(search(gw, {{"limit", 0}}).status == 400);
  CHECK(search(gw, {{"nonsense", 1}}).status == 400);
  CHECK(audit_post(gw, "/v1/audit/persons/timeline", {{"person", "not-a-person"}}).status == 400);
  CHECK(audit_get(gw, "/v1/audit/reports/out_of_hours?since=yesterday").status == 400);
  CHECK(gw.post("/v1/audit/exports", R"({"format": "xml"})", bearer(kAuditorToken)).status == 400);
  CHECK(refusals() == 5);
  // Asking for what does not exist is refused and audited the same way.
  CHECK(audit_get(gw, "/v1/audit/reports/nothing_such").status == 404);
  CHECK(audit_get(gw, "/v1/audit/exports/0123456789abcdef/file").status == 404);
  int not_found = 0;
  for (const auto& r : gw.audit_records())
    not_found += r.kind == "audit.access_refused" && r.body["status"] == 404 ? 1 : 0;
  CHECK(not_found == 2);
}

#if defined(__SANITIZE_ADDRESS__)
constexpr bool kUnderAddressSanitizer = true;
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
constexpr bool kUnderAddressSanitizer = true;
#else
constexpr bool kUnderAddressSanitizer = false;
#endif
#else
constexpr bool kUnderAddressSanitizer = false;
#endif

TEST_CASE("export downloads are streamed: the gateway's memory does not grow with the file") {
  GatewayHarness gw("audit_api_export_memory");
  // An export file as large as years of log, put where the gateway keeps exports.
  constexpr std::size_t kSize = 64u << 20;
  const std::string id = "0f0e0d0c-0b0a-4908-8706-050403020100";
  std::filesystem::create_directories(gw.dir() / "exports");
  {
    std::ofstream out(gw.dir() / "exports" / (id + ".jsonl"), std::ios::binary);
    const std::string line(1023, 'x');
    for (std::size_t written = 0; written < kSize; written += 1024) out << line << '\n';
  }
  REQUIRE(audit_get(gw, "/v1/audit/chain").status == 200);  // warmed up
  const auto peak_before = peak_memory_kb(gw.gateway_pid());
  std::vector<std::thread> downloads;
  // Catch's assertions are for the test's own thread: the downloads only count.
  std::vector<std::size_t> received(4, 0);
  std::vector<int> statuses(4, 0);
  for (std::size_t i = 0; i < received.size(); ++i) {
    downloads.emplace_back([&, i] {
      httplib::Client client("127.0.0.1", gw.port());
      client.set_read_timeout(60, 0);
      auto result = client.Get(("/v1/audit/exports/" + id + "/file").c_str(), bearer(kAuditorToken),
                               [&](const char*, std::size_t n) { return received[i] += n, true; });
      statuses[i] = result ? result->status : -1;
    });
  }
  for (auto& d : downloads) d.join();
  for (std::size_t i = 0; i < received.size(); ++i) {
    CHECK(statuses[i] == 200);
    CHECK(received[i] == kSize);
  }
  const auto peak_after = peak_memory_kb(gw.gateway_pid());
  INFO("VmHWM before " << peak_before << " kB, after " << peak_after << " kB");
  // Read whole, one download alone would add the file's size; streamed, four add a few chunks.
  // Under AddressSanitizer freed chunks wait in its quarantine and the peak says nothing about the
  // gateway's own use; the GCC build holds the bound.
  if (!kUnderAddressSanitizer) CHECK(peak_after - peak_before < static_cast<long>(kSize / 1024 / 4));
}

TEST_CASE("the old GET search and person timeline are gone, and a personnummer in any URL is refused 400, masked") {
  GatewayHarness gw("audit_api_no_personnummer_in_urls");
  seed(gw);
  const auto auditor = bearer(kAuditorToken);
  // The GETs that took a person in the URL answer nothing but a refusal: no route (404) without
  // one, 400 personal_data_in_url with one, whatever the route.
  CHECK(audit_get(gw, "/v1/audit/records?operation=lookup").status == 404);
  auto old_search = gw.get_with_personal_data_in_url("/v1/audit/records?person=19121212-1212", auditor);
  CHECK(old_search.status == 400);
  CHECK(old_search.body["code"] == "personal_data_in_url");
  CHECK(old_search.body["invalid-params"][0]["name"] == "person");
  auto old_timeline = gw.get_with_personal_data_in_url("/v1/audit/persons/198112189876/timeline", auditor);
  CHECK(old_timeline.status == 400);
  CHECK(old_timeline.body["invalid-params"][0]["name"] == "path");
  auto old_consents = gw.get_with_personal_data_in_url("/v1/consents?person_id=191212121212", bearer(kCaseSystemToken));
  CHECK(old_consents.status == 400);
  CHECK(old_consents.body["code"] == "personal_data_in_url");
  // On a route that takes no person at all, too: the rule holds for every route.
  auto on_case = gw.get_with_personal_data_in_url("/v1/cases/EB-2026-000500?who=121212-1212", bearer(kCaseSystemToken));
  CHECK(on_case.status == 400);
  CHECK(on_case.body["code"] == "personal_data_in_url");

  // The new calls answer, with the person in the body.
  auto found = search(gw, {{"person", "19121212-1212"}});
  REQUIRE(found.status == 200);
  CHECK(kinds_of(found).contains("lookup"));
  auto timeline = audit_post(gw, "/v1/audit/persons/timeline", {{"person", "198112189876"}});
  REQUIRE(timeline.status == 200);
  CHECK(kinds_of(timeline).contains("lookup"));

  gw.stop_gateway();
  int refusals = 0;
  for (const auto& r : gw.audit_records()) {
    if (r.kind != "http.personal_data_in_url") continue;
    ++refusals;
    const std::string body = r.body.dump();
    INFO(body);
    CHECK(r.body["target"].get<std::string>().find("XXXX") != std::string::npos);
    for (const char* number : {"19121212-1212", "191212121212", "198112189876", "121212-1212"}) {
      CHECK(body.find(number) == std::string::npos);
    }
  }
  CHECK(refusals == 4);
  // The gateway's log names the refusal and never the number.
  std::ifstream log(gw.gateway_log());
  const std::string text((std::istreambuf_iterator<char>(log)), std::istreambuf_iterator<char>());
  CHECK(text.find("personal_data_in_url") != std::string::npos);
  for (const char* number : {"19121212-1212", "191212121212", "198112189876", "121212-1212", "1212121212"}) {
    CHECK(text.find(number) == std::string::npos);
  }
}
