// The auditors' API through the real gateway binary: roles, sign-in, search filters, log checks
// on seeded data, chain status, and a signed export verified offline (and failing once altered).
#include <catch2/catch.hpp>

#include <algorithm>
#include <chrono>
#include <fstream>
#include <functional>
#include <set>
#include <sstream>
#include <thread>

#include "core/clock.h"
#include "gateway_harness.h"

using namespace knutpunkt::testing;

namespace {

httplib::Headers bearer(const std::string& token) { return {{"Authorization", "Bearer " + token}}; }

HttpReply audit_get(GatewayHarness& gw, const std::string& path, const std::string& token = kAuditorToken) {
  return gw.get_with(path, bearer(token));
}

std::set<std::string> kinds_of(const HttpReply& reply) {
  std::set<std::string> kinds;
  for (const auto& r : reply.body["records"]) kinds.insert(r["kind"].get<std::string>());
  return kinds;
}

bool eventually(const std::function<bool()>& condition) {
  for (int i = 0; i < 100; ++i) {
    if (condition()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return condition();
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

}  // namespace

TEST_CASE("the audit API is for auditors only: a case system's token gets 403, no token 401, and both are audited") {
  GatewayHarness gw("audit_api_roles");
  auto as_case_system = audit_get(gw, "/v1/audit/records", kCaseSystemToken);
  CHECK(as_case_system.status == 403);
  CHECK(as_case_system.body["code"] == "role_not_allowed");
  CHECK(audit_get(gw, "/v1/audit/reports", kCaseSystemToken).status == 403);
  CHECK(audit_get(gw, "/v1/audit/chain", kCaseSystemToken).status == 403);
  CHECK(gw.get("/v1/audit/records").status == 401);
  CHECK(audit_get(gw, "/v1/audit/records").status == 200);
  int refused = 0;
  for (const auto& r : gw.audit_records()) refused += r.kind == "audit.access_refused" ? 1 : 0;
  CHECK(refused == 4);
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
  CHECK(audit_get(gw, "/v1/audit/records", token).status == 200);
  // A session grants what the user's roles grant, nothing more.
  CHECK(gw.get_with("/v1/dead-letters", bearer(token)).status == 403);

  CHECK(gw.del("/v1/auth/session", bearer(token)).status == 204);
  CHECK(audit_get(gw, "/v1/audit/records", token).status == 401);

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

TEST_CASE("fifty guesses sent at once get at most five answers, the right password after them is refused, and the lock is audited") {
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
  auto by_person = audit_get(gw, "/v1/audit/records?person=19121212-1212&limit=500");
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
  auto again = audit_get(gw, "/v1/audit/records?person=121212%2B1212&limit=500");
  REQUIRE(again.body["records"].size() == by_person.body["records"].size() + 1);
  CHECK(again.body["records"][0]["kind"] == "audit.searched");

  auto refusals = audit_get(gw, "/v1/audit/records?operation=lookup&outcome=refused");
  REQUIRE(refusals.status == 200);
  REQUIRE(refusals.body["records"].size() == 2);
  // Newest first: the household refusal came last.
  CHECK(refusals.body["records"][0]["reason"] == "not_in_household");
  CHECK(refusals.body["records"][1]["reason"] == "no_open_case");

  auto by_case = audit_get(gw, "/v1/audit/records?case_id=EB-2026-000500");
  std::set<std::string> case_kinds = kinds_of(by_case);
  CHECK(case_kinds == std::set<std::string>{"case.registered", "lookup.refused"});

  // Paging: one at a time, every record once, in strictly falling seq.
  std::vector<std::int64_t> seqs;
  std::string cursor;
  for (int page = 0; page < 20; ++page) {
    auto reply = audit_get(gw, "/v1/audit/records?operation=lookup&limit=1" + (cursor.empty() ? "" : "&after=" + cursor));
    REQUIRE(reply.status == 200);
    for (const auto& r : reply.body["records"]) seqs.push_back(r["seq"]);
    if (!reply.body["has_more"].get<bool>()) break;
    cursor = reply.body["next_cursor"];
  }
  CHECK(seqs.size() == 5);
  CHECK(std::is_sorted(seqs.rbegin(), seqs.rend()));

  // Bad parameters are named.
  auto bad = audit_get(gw, "/v1/audit/records?person=19121212-1213&limit=9999&colour=red");
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

  auto person = audit_get(gw, "/v1/audit/persons/198112189876/timeline");
  REQUIRE(person.status == 200);
  std::int64_t last = 0;
  for (const auto& r : person.body["records"]) {
    CHECK(r["seq"].get<std::int64_t>() > last);
    last = r["seq"];
  }
  CHECK(kinds_of(person).contains("lookup"));
  CHECK(audit_get(gw, "/v1/audit/persons/19811218-9877/timeline").status == 400);
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
  CHECK(audit_get(gw, "/v1/audit/reports/protected_person_lookups?since=2020-01-01&until=2020-02-01").body["rows"].empty());
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
  std::filesystem::copy_file(gw.dir() / "exports" / (id + ".jsonl.manifest.json"), exported.string() + ".manifest.json");

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

TEST_CASE("retention removes old records through the API (admin only), and the chain still verifies with its checkpoint") {
  GatewayHarness gw("audit_api_retention");
  seed(gw);
  const auto sign_in = [&](const std::string& user, const std::string& password) {
    auto reply = gw.post("/v1/auth/session", nlohmann::json{{"username", user}, {"password", password}}.dump(), {});
    REQUIRE(reply.status == 201);
    return reply.body["token"].get<std::string>();
  };
  // A cut-off after everything seeded: what was recorded before it goes, nothing after it.
  std::this_thread::sleep_for(std::chrono::milliseconds(20));
  const std::string before = knutpunkt::now_utc();
  std::this_thread::sleep_for(std::chrono::milliseconds(20));
  const auto seeded = gw.audit_records().size();
  // An auditor reads the log; only an admin removes from it.
  CHECK(gw.post("/v1/audit/retention", nlohmann::json{{"before", before}}.dump(), bearer(kAuditorToken)).status == 403);
  const std::string admin = sign_in(kAdminUser, kAdminPassword);
  CHECK(gw.post("/v1/audit/retention", R"({"before": "last week"})", bearer(admin)).status == 400);
  auto removed = gw.post("/v1/audit/retention", nlohmann::json{{"before", before}}.dump(), bearer(admin));
  INFO(removed.body.dump());
  REQUIRE(removed.status == 200);
  CHECK(removed.body["removed_records"].get<std::size_t>() == seeded);

  // What remains verifies, the checkpoint's signature holds, and the removal is on record.
  nlohmann::json status;
  REQUIRE(eventually([&] {
    status = audit_get(gw, "/v1/audit/chain").body;
    return status["state"] == "done" && status.contains("checkpoint") &&
           status["checkpoint"]["through_seq"] == removed.body["through_seq"];
  }));
  CHECK(status["intact"] == true);
  CHECK(status["checkpoint"]["signature_valid"] == true);
  const auto records = gw.audit_records();
  CHECK(records.front().seq == removed.body["through_seq"].get<std::int64_t>() + 1);
  bool applied = false;
  for (const auto& r : records) applied = applied || r.kind == "audit.retention_applied";
  CHECK(applied);

  gw.stop_gateway();
  std::string output;
  CHECK(run_command({gateway_binary().string(), "audit", "verify", "--db", gw.db_path().string(), "--public-key",
                     gw.audit_public_key().string()},
                    output) == 0);
  INFO(output);
  CHECK(nlohmann::json::parse(output)["checkpoint"]["signature_valid"] == true);
}
