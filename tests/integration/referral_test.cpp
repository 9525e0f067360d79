// Referrals to Jobbtorg and reports back, through the real gateway binary, the Jobbtorg simulator
// and a case system receiving webhooks.
#include <catch2/catch.hpp>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <set>
#include <thread>

#include "referral_harness.h"

using namespace knutpunkt::testing;
using namespace std::chrono_literals;

namespace {

nlohmann::json message(ReferralHarness& h, const std::string& id) {
  auto reply = h.gateway_get("/v1/messages/" + id, kOperatorToken);
  REQUIRE(reply.status == 200);
  return reply.body;
}

std::string status_of(ReferralHarness& h, const std::string& id) { return message(h, id)["status"]; }

std::string first_message_id(const HttpReply& accepted) { return accepted.body["messages"][0]["message_id"]; }

int effects_for(ReferralHarness& h, const std::string& referral_id) {
  auto stats = h.jobbtorg_stats();
  if (!stats["by_referral"].contains(referral_id)) return 0;
  return static_cast<int>(stats["by_referral"][referral_id].size());
}

std::vector<nlohmann::json> feed_in_pages_of_two(ReferralHarness& h) {
  std::vector<nlohmann::json> events;
  std::string cursor = "0";
  for (;;) {
    auto page = h.gateway_get("/v1/events?limit=2&after=" + cursor, kCaseSystemToken);
    REQUIRE(page.status == 200);
    for (const auto& e : page.body["events"]) events.push_back(e);
    cursor = page.body["next_cursor"];
    if (!page.body["has_more"].get<bool>()) return events;
  }
}

// A request written byte by byte, so the target can hold bytes no HTTP client library would send
// unencoded; the status of the answer.
int raw_status(unsigned short port, const std::string& target, const std::string& token) {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  REQUIRE(fd >= 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(port);
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  REQUIRE(::connect(fd, reinterpret_cast<const sockaddr*>(&address), sizeof address) == 0);
  std::string request = "GET " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n";
  if (!token.empty()) request += "Authorization: Bearer " + token + "\r\n";
  request += "\r\n";
  REQUIRE(::send(fd, request.data(), request.size(), 0) == static_cast<ssize_t>(request.size()));
  std::string answer;
  char buffer[4096];
  for (ssize_t n; (n = ::recv(fd, buffer, sizeof buffer, 0)) > 0;) answer.append(buffer, static_cast<std::size_t>(n));
  ::close(fd);
  INFO(answer);
  REQUIRE(answer.starts_with("HTTP/1.1 "));
  return std::stoi(answer.substr(9, 3));
}

// `knutpunkt audit verify` over the stopped gateway's database: whether it says the chain is intact.
bool chain_verifies(ReferralHarness& h) {
  std::string output;
  const int code = run_command({gateway_binary().string(), "audit", "verify", "--db", h.db_path().string()}, output);
  INFO(output);
  return code == 0 && nlohmann::json::parse(output, nullptr, false).value("intact", false);
}

}  // namespace

TEST_CASE("an accepted referral is delivered once to the district's Jobbtorg and the case system hears referral.sent") {
  ReferralHarness h("referral_delivered");
  auto accepted = h.refer(referral_request());
  INFO(accepted.body.dump());
  REQUIRE(accepted.status == 202);
  const std::string referral_id = accepted.body["referral_id"];
  CHECK(accepted.body["messages"][0]["destination"] == "jobbtorg-sodra");

  REQUIRE(eventually([&] { return status_of(h, first_message_id(accepted)) == "delivered"; }));
  CHECK(effects_for(h, referral_id) == 1);
  REQUIRE(eventually([&] { return pushed_types(h, referral_id) == std::vector<std::string>{"referral.sent"}; }));
  CHECK(h.case_system_stats()["bad_signatures"] == 0);

  auto events = feed_in_pages_of_two(h);
  REQUIRE(events.size() == 1);
  CHECK(events[0]["type"] == "referral.sent");
  CHECK(events[0]["correlation_id"] == referral_id);
  CHECK(events[0]["subject"]["person_id"] == "191212121212");
  // Acceptance, the delivery attempt and the push are all in the chain.
  CHECK(count_kind(h, "referral.accepted") == 1);
  CHECK(count_kind(h, "delivery.attempt") == 2);
}

TEST_CASE("a referral for a district no Jobbtorg serves is refused with 422 naming the district, and audited") {
  ReferralHarness h("referral_unknown_district");
  auto refused = h.refer(referral_request("EB-1", "kista"));
  INFO(refused.body.dump());
  REQUIRE(refused.status == 422);
  CHECK(refused.body["code"] == "unknown_district");
  CHECK(refused.body["invalid-params"][0]["name"] == "district");
  CHECK(count_kind(h, "referral.refused") == 1);
  CHECK(h.jobbtorg_stats()["anvisningar_received"] == 0);
}

TEST_CASE("an invalid referral is refused with 400 naming every bad field") {
  ReferralHarness h("referral_invalid");
  auto body = referral_request();
  body["person_id"] = "19121212-1213";
  body["extent_hours_per_week"] = 60;
  body["forsorjningshinder"] = "LATHET";
  body["start_date"] = "2026-02-30";
  auto refused = h.refer(body);
  REQUIRE(refused.status == 400);
  std::set<std::string> names;
  for (const auto& p : refused.body["invalid-params"]) names.insert(p["name"].get<std::string>());
  CHECK(names == std::set<std::string>{"person_id", "extent_hours_per_week", "forsorjningshinder", "start_date"});
}

TEST_CASE("delivery retries and succeeds after Jobbtorg fails the first attempts") {
  ReferralHarness h("referral_retries");
  h.jobbtorg_faults({{"mode", "error"}, {"status", 503}, {"fail_first", 3}});
  auto accepted = h.refer(referral_request());
  REQUIRE(accepted.status == 202);
  const std::string id = first_message_id(accepted);
  REQUIRE(eventually([&] { return status_of(h, id) == "delivered"; }));
  auto m = message(h, id);
  REQUIRE(m["attempt_history"].size() == 4);
  for (int i = 0; i < 3; ++i) {
    CHECK(m["attempt_history"][i]["outcome"] == "retry");
    CHECK(m["attempt_history"][i]["http_status"] == 503);
  }
  CHECK(m["attempt_history"][3]["outcome"] == "delivered");
  CHECK(effects_for(h, accepted.body["referral_id"]) == 1);
}

TEST_CASE("a final 4xx goes straight to the dead letters, the case system hears delivery.failed, and replay delivers once") {
  ReferralHarness h("referral_dead_letter");
  h.jobbtorg_faults({{"mode", "reject"}});
  auto accepted = h.refer(referral_request());
  REQUIRE(accepted.status == 202);
  const std::string id = first_message_id(accepted);
  const std::string referral_id = accepted.body["referral_id"];
  REQUIRE(eventually([&] { return status_of(h, id) == "dead"; }));
  CHECK(message(h, id)["attempt_history"].size() == 1);

  auto dead = h.gateway_get("/v1/dead-letters?destination=jobbtorg-sodra", kOperatorToken);
  REQUIRE(dead.status == 200);
  REQUIRE(dead.body["dead_letters"].size() == 1);
  CHECK(dead.body["dead_letters"][0]["message_id"] == id);
  // Filters: by type and time; a webhook push type or a window before it died finds nothing.
  CHECK(h.gateway_get("/v1/dead-letters?type=referral.requested&since=2020-01-01", kOperatorToken)
            .body["dead_letters"].size() == 1);
  CHECK(h.gateway_get("/v1/dead-letters?type=referral.sent", kOperatorToken).body["dead_letters"].empty());
  CHECK(h.gateway_get("/v1/dead-letters?until=2020-01-01T00:00:00Z", kOperatorToken).body["dead_letters"].empty());
  CHECK(h.gateway_get("/v1/dead-letters?since=yesterday", kOperatorToken).status == 400);
  CHECK(count_kind(h, "delivery.dead_lettered") == 1);
  REQUIRE(eventually([&] { return pushed_types(h, referral_id) == std::vector<std::string>{"delivery.failed"}; }));

  // Operators only: a case system may not replay.
  CHECK(h.gateway_post("/v1/dead-letters/" + id + "/replay", "", kCaseSystemToken).status == 403);

  h.jobbtorg_faults(nullptr);
  auto replayed = h.gateway_post("/v1/dead-letters/" + id + "/replay", "", kOperatorToken);
  CHECK(replayed.status == 202);
  REQUIRE(eventually([&] { return status_of(h, id) == "delivered"; }));
  CHECK(effects_for(h, referral_id) == 1);
  // Replaying what is delivered changes nothing.
  auto again = h.gateway_post("/v1/dead-letters/" + id + "/replay", "", kOperatorToken);
  CHECK(again.status == 200);
  CHECK(again.body["replayed"] == false);
  std::this_thread::sleep_for(300ms);
  CHECK(effects_for(h, referral_id) == 1);
  CHECK(h.jobbtorg_stats()["duplicates"] == 0);
  CHECK(count_kind(h, "delivery.replayed") == 1);
}

TEST_CASE("the circuit breaker opens while Jobbtorg is down, then half-opens and closes when it is back") {
  ReferralHarnessOptions options;
  options.max_attempts = 100;
  options.breaker_threshold = 3;
  options.breaker_open_ms = 1000;
  options.initial_backoff_ms = 20;
  options.max_backoff_ms = 40;
  ReferralHarness h("referral_breaker", options);
  h.jobbtorg_faults({{"mode", "error"}, {"status", 503}});
  auto accepted = h.refer(referral_request());
  REQUIRE(accepted.status == 202);
  const auto breaker_is = [&](int state) {
    return h.metrics().find("knutpunkt_delivery_breaker_state{destination=\"jobbtorg-sodra\"} " +
                            std::to_string(state) + "\n") != std::string::npos;
  };
  // Three failures open the breaker; while open (1 s), nothing is sent although backoff is 40 ms.
  REQUIRE(eventually([&] { return h.jobbtorg_stats()["failed_by_fault"].get<int>() >= 3; }));
  REQUIRE(eventually([&] { return breaker_is(2); }, 2s));
  std::this_thread::sleep_for(300ms);
  const auto window_opened = std::chrono::steady_clock::now();
  const int during_open = h.jobbtorg_stats()["failed_by_fault"];
  std::this_thread::sleep_for(400ms);
  const int sent_in_window = h.jobbtorg_stats()["failed_by_fault"].get<int>() - during_open;
  // One probe a second at most, each reopening the breaker: a window stretched past a second
  // by a loaded machine may hold one more for each second, and that is no failure of the breaker.
  const auto window = std::chrono::steady_clock::now() - window_opened;
  const int probes_allowed = 1 + static_cast<int>(window / std::chrono::milliseconds{options.breaker_open_ms});
  CAPTURE(std::chrono::duration_cast<std::chrono::milliseconds>(window).count());
  CHECK(sent_in_window <= probes_allowed);
  h.jobbtorg_faults(nullptr);
  // The half-open probe succeeds and the breaker closes.
  REQUIRE(eventually([&] { return status_of(h, first_message_id(accepted)) == "delivered"; }, 10s));
  CHECK(breaker_is(0));
}

TEST_CASE("Retry-After from Jobbtorg is honoured") {
  ReferralHarness h("referral_retry_after");
  h.jobbtorg_faults({{"mode", "rate_limit"}, {"retry_after", "2"}, {"fail_first", 1}});
  auto accepted = h.refer(referral_request());
  REQUIRE(accepted.status == 202);
  const std::string id = first_message_id(accepted);
  REQUIRE(eventually([&] { return status_of(h, id) == "delivered"; }));
  auto history = message(h, id)["attempt_history"];
  REQUIRE(history.size() == 2);
  CHECK(history[0]["http_status"] == 429);
  const auto at = [](const nlohmann::json& a) {
    const std::string t = a["started_at"];  // ...THH:MM:SS.mmmZ
    return std::stoi(t.substr(11, 2)) * 3600000LL + std::stoi(t.substr(14, 2)) * 60000LL +
           std::stoi(t.substr(17, 2)) * 1000LL + std::stoi(t.substr(20, 3));
  };
  // The configured backoff is 50 ms; Retry-After asked for 2 s.
  CHECK(at(history[1]) - at(history[0]) >= 1900);
}

TEST_CASE("the same Idempotency-Key returns the first acceptance; with another body it is refused") {
  ReferralHarness h("referral_idempotency");
  auto first = h.refer(referral_request(), "key-123");
  REQUIRE(first.status == 202);
  auto repeat = h.refer(referral_request(), "key-123");
  REQUIRE(repeat.status == 202);
  CHECK(repeat.body["referral_id"] == first.body["referral_id"]);
  CHECK(repeat.body["messages"] == first.body["messages"]);
  auto other = h.refer(referral_request("EB-other"), "key-123");
  CHECK(other.status == 422);
  CHECK(other.body["code"] == "idempotency_key_reused");
  // Another client may use the same key for its own request: keys are per client.
  REQUIRE(eventually([&] { return status_of(h, first_message_id(first)) == "delivered"; }));
  std::this_thread::sleep_for(200ms);
  CHECK(h.jobbtorg_stats()["effects"] == 1);
  CHECK(count_kind(h, "referral.accepted") == 1);
}

TEST_CASE("a report from Jobbtorg becomes case events; the same report again is ignored") {
  ReferralHarness h("referral_report_duplicate");
  auto accepted = h.refer(referral_request());
  REQUIRE(accepted.status == 202);
  const std::string referral_id = accepted.body["referral_id"];
  REQUIRE(eventually([&] { return effects_for(h, referral_id) == 1; }));

  auto sent = h.jobbtorg_report(referral_id, {{"typ", "INSKRIVNING"},
                                              {"inskrivning", {{"datum", "2026-12-01"}, {"jobbtorgReferens", "JT-1"}}}});
  INFO(sent.dump());
  REQUIRE(sent["gateway_status"] == 202);
  auto resent = h.jobbtorg_resend(sent["meddelandeId"]);
  CHECK(resent["gateway_status"] == 200);
  CHECK(resent["gateway_body"]["duplicate"] == true);

  REQUIRE(eventually([&] {
    auto types = pushed_types(h, referral_id);
    return std::count(types.begin(), types.end(), "referral.accepted") == 1;
  }));
  std::this_thread::sleep_for(300ms);
  auto types = pushed_types(h, referral_id);
  CHECK(std::count(types.begin(), types.end(), "referral.accepted") == 1);
  int in_feed = 0;
  for (const auto& e : feed_in_pages_of_two(h)) in_feed += e["type"] == "referral.accepted" ? 1 : 0;
  CHECK(in_feed == 1);
  CHECK(count_kind(h, "referral.report_received") == 1);
}

TEST_CASE("a report with members Jobbtorg's published schema does not name is accepted; they are audited as deviations") {
  ReferralHarness h("referral_report_unknown_fields");
  auto accepted = h.refer(referral_request());
  REQUIRE(accepted.status == 202);
  const std::string referral_id = accepted.body["referral_id"];
  REQUIRE(eventually([&] { return effects_for(h, referral_id) == 1; }));

  auto sent = h.jobbtorg_report(referral_id, {{"typ", "INSKRIVNING"},
                                              {"rapportversion", "1.1"},
                                              {"inskrivning", {{"datum", "2026-12-01"}, {"jobbtorgReferens", "JT-1"},
                                                               {"handlaggarenhet", "Jobbtorg Söder"}}}});
  INFO(sent.dump());
  REQUIRE(sent["gateway_status"] == 202);
  REQUIRE(eventually([&] {
    auto types = pushed_types(h, referral_id);
    return std::count(types.begin(), types.end(), "referral.accepted") == 1;
  }));
  std::vector<std::string> paths;
  for (const auto& r : h.audit_records()) {
    if (r.kind != "referral.report_received" || !r.body.contains("deviations")) continue;
    for (const auto& d : r.body["deviations"]) {
      CHECK(d["kind"] == "unknown_field");
      paths.push_back(d["path"]);
    }
  }
  CHECK(std::count(paths.begin(), paths.end(), "/rapportversion") == 1);
  CHECK(std::count(paths.begin(), paths.end(), "/inskrivning/handlaggarenhet") == 1);
}

TEST_CASE("reports are refused from the wrong partner, about unknown referrals, and when malformed") {
  ReferralHarness h("referral_report_refused");
  auto accepted = h.refer(referral_request());
  const std::string referral_id = accepted.body["referral_id"];
  const nlohmann::json report = {{"meddelandeId", "0b0f6c2e-8a55-4b1e-9d51-3f0b7c1d2e10"},
                                 {"anvisningsId", referral_id},
                                 {"typ", "AVSLUT"},
                                 {"tidpunkt", "2026-12-20T10:00:00Z"},
                                 {"avslut", {{"datum", "2026-12-20"}, {"orsak", "ARBETE"}}}};
  CHECK(h.gateway_post("/v1/partners/jobbtorg-sodra/reports", report.dump(), kCaseSystemToken).status == 403);
  CHECK(h.gateway_post("/v1/partners/jobbtorg-sodra/reports", report.dump(), "").status == 401);
  auto unknown = report;
  unknown["anvisningsId"] = "6f1c2d3e-0000-4c6d-8e7f-901a2b3c4d5e";
  CHECK(h.gateway_post("/v1/partners/jobbtorg-sodra/reports", unknown.dump(), kJobbtorgToken).status == 404);
  auto bad = report;
  bad["avslut"]["orsak"] = "TRATTNAD";
  auto refused = h.gateway_post("/v1/partners/jobbtorg-sodra/reports", bad.dump(), kJobbtorgToken);
  REQUIRE(refused.status == 400);
  CHECK(refused.body["invalid-params"][0]["name"] == "/avslut/orsak");
  // A body nested deeper than any report is refused before it is parsed.
  const std::string deep = std::string(20000, '[') + std::string(20000, ']');
  CHECK(h.gateway_post("/v1/partners/jobbtorg-sodra/reports", deep, kJobbtorgToken).status >= 400);
  CHECK(h.gateway_get("/healthz", "").status == 200);
  // The 401 names no client: it is counted for its address, not a record of its own.
  CHECK(count_kind(h, "referral.report_refused") == 4);
  h.stop_gateway();
  std::uint64_t unauthenticated = 0;
  for (const auto& r : h.audit_records()) {
    if (r.kind != "http.unauthenticated_refusals") continue;
    for (const auto& counted : r.body["refused"]) {
      if (counted["route"] == "POST /v1/partners/{adapter}/reports" && counted["status"] == 401) {
        unauthenticated += counted["count"].get<std::uint64_t>();
      }
    }
  }
  CHECK(unauthenticated == 1);
}

TEST_CASE("events of one referral reach the case system in order even when pushes are retried") {
  ReferralHarness h("referral_ordering");
  auto accepted = h.refer(referral_request());
  const std::string referral_id = accepted.body["referral_id"];
  REQUIRE(eventually([&] { return effects_for(h, referral_id) == 1; }));
  REQUIRE(eventually([&] { return pushed_types(h, referral_id).size() == 1; }));
  // Every push now fails twice before it is taken.
  h.case_system_faults({{"mode", "error"}, {"status", 503}, {"fail_first", 2}});
  const std::vector<std::pair<std::string, nlohmann::json>> reports = {
      {"INSKRIVNING", {{"inskrivning", {{"datum", "2026-12-01"}, {"jobbtorgReferens", "JT-9"}}}}},
      {"FORSTA_BESOK", {{"forstaBesok", {{"datum", "2026-12-02"}, {"genomfort", true}}}}},
      {"IB_DEL2_KLAR", {{"ibDel2", {{"datum", "2026-12-03"}}}}},
      {"AVSLUT", {{"avslut", {{"datum", "2026-12-20"}, {"orsak", "ARBETE"}}}}},
  };
  for (const auto& [typ, extra] : reports) {
    nlohmann::json body = extra;
    body["typ"] = typ;
    REQUIRE(h.jobbtorg_report(referral_id, body)["gateway_status"] == 202);
  }
  const std::vector<std::string> expected = {"referral.sent", "referral.accepted", "referral.first_visit",
                                             "assessment.part_completed", "referral.ended"};
  REQUIRE(eventually([&] { return pushed_types(h, referral_id).size() == expected.size(); }, 30s));
  CHECK(pushed_types(h, referral_id) == expected);
  CHECK(h.case_system_stats()["duplicates"] == 0);
}

TEST_CASE("metrics report per-destination delivery figures in Prometheus text format") {
  ReferralHarness h("referral_metrics");
  auto accepted = h.refer(referral_request());
  REQUIRE(eventually([&] { return status_of(h, first_message_id(accepted)) == "delivered"; }));
  const std::string text = h.metrics();
  CHECK(text.find("# TYPE knutpunkt_delivery_delivered_total counter") != std::string::npos);
  CHECK(text.find("knutpunkt_delivery_delivered_total{destination=\"jobbtorg-sodra\"} 1\n") != std::string::npos);
  CHECK(text.find("knutpunkt_delivery_accepted_total{destination=\"jobbtorg-sodra\"} 1\n") != std::string::npos);
  CHECK(text.find("knutpunkt_delivery_latency_seconds_count{destination=\"jobbtorg-sodra\"} 1\n") != std::string::npos);
  CHECK(text.find("knutpunkt_delivery_queue_depth{destination=\"jobbtorg-sodra\"} 0\n") != std::string::npos);
  // Figures only: no personal data in metrics.
  CHECK(text.find("191212121212") == std::string::npos);
}

TEST_CASE("a protected person's referral is held for manual handling, remembered, and resolved by an operator") {
  ReferralHarness h("referral_protected_manual");
  auto request = referral_request();
  request["protected_identity"] = true;
  auto held = h.refer(request);
  INFO(held.body.dump());
  REQUIRE(held.status == 202);
  CHECK(held.body["status"] == "held_for_manual_handling");
  CHECK(held.body["messages"].empty());
  const std::string referral_id = held.body["referral_id"];
  const std::string item_id = held.body["manual_handling"]["manual_item_id"];

  // The flag is remembered: the next referral of the same person is held although the request
  // does not say so.
  auto again = h.refer(referral_request());
  REQUIRE(again.status == 202);
  CHECK(again.body["status"] == "held_for_manual_handling");

  // The case system hears that its referral waits; Jobbtorg hears nothing.
  REQUIRE(eventually([&] { return pushed_types(h, referral_id) == std::vector<std::string>{"referral.held_for_manual_handling"}; }));
  std::this_thread::sleep_for(300ms);
  CHECK(effects_for(h, referral_id) == 0);
  CHECK(h.jobbtorg_stats()["by_referral"].empty());

  // Operators see the queue (case systems do not), and resolve an item once, with a note.
  CHECK(h.gateway_get("/v1/manual-handling", kCaseSystemToken).status == 403);
  auto queue = h.gateway_get("/v1/manual-handling", kOperatorToken);
  REQUIRE(queue.status == 200);
  REQUIRE(queue.body["items"].size() == 2);
  CHECK(queue.body["items"][0]["manual_item_id"] == item_id);
  CHECK(queue.body["items"][0]["reference"] == referral_id);
  CHECK(queue.body["items"][0]["reason"] == "protected_identity");
  CHECK(queue.body["items"][0]["destination"] == "jobbtorg-sodra");
  CHECK(queue.body.dump().find("191212121212") == std::string::npos);  // the queue names cases, not persons

  CHECK(h.gateway_post("/v1/manual-handling/" + item_id + "/resolve", "{}", kOperatorToken).status == 400);
  auto resolved = h.gateway_post("/v1/manual-handling/" + item_id + "/resolve",
                                 R"({"note": "Anvisningen lämnad till Jobbtorg Söderort per telefon"})", kOperatorToken);
  REQUIRE(resolved.status == 200);
  CHECK(resolved.body["status"] == "resolved");
  CHECK(resolved.body["resolved_by"] == "operator");
  CHECK(h.gateway_get("/v1/manual-handling", kOperatorToken).body["items"].size() == 1);
  CHECK(h.gateway_get("/v1/manual-handling?status=resolved", kOperatorToken).body["items"].size() == 1);
  CHECK(h.gateway_get("/v1/manual-handling?status=maybe", kOperatorToken).status == 400);
  CHECK(h.gateway_get("/v1/manual-handling?after=no-such-item", kOperatorToken).status == 400);

  // Each step is in the audit log: the hold (with the reason), the reads, the resolution.
  int held_records = 0;
  for (const auto& r : h.audit_records()) {
    if (r.kind == "referral.accepted" && r.body.contains("held_for_manual_handling")) {
      ++held_records;
      CHECK(r.body["held_for_manual_handling"]["reason"] == "protected_identity");
      CHECK(r.body["destinations"].empty());
    }
  }
  CHECK(held_records == 2);
  CHECK(count_kind(h, "manual_handling.resolved") == 1);
  CHECK(count_kind(h, "manual_handling.read") >= 3);
  // Every refusal of the list is audited: the case system's 403 and the operator's two 400s.
  std::multiset<int> refused_statuses;
  for (const auto& r : h.audit_records()) {
    if (r.kind == "manual_handling.read_refused") refused_statuses.insert(r.body["status"].get<int>());
  }
  CHECK(refused_statuses == std::multiset<int>{400, 400, 403});
}

TEST_CASE("a case system not granted referrals is refused with 403 and audited") {
  ReferralHarness h("referral_operation_not_granted");
  auto reply = h.gateway_post("/v1/referrals", referral_request().dump(), kOtherClientToken);
  CHECK(reply.status == 403);
  CHECK(reply.body["code"] == "operation_not_allowed");
  CHECK(count_kind(h, "referral.refused") == 1);
  CHECK(count_kind(h, "referral.accepted") == 0);
}

TEST_CASE("a referral is held to the case and household like a lookup, and each refusal is audited") {
  ReferralHarness h("referral_case_scope");
  auto unknown_case = h.refer(referral_request("EB-2026-999999"));
  CHECK(unknown_case.status == 403);
  CHECK(unknown_case.body["code"] == "no_open_case");
  auto outsider = referral_request();
  outsider["person_id"] = "19701063-2391";
  auto not_member = h.refer(outsider);
  CHECK(not_member.status == 403);
  CHECK(not_member.body["code"] == "not_in_household");
  CHECK(not_member.body["invalid-params"][0]["name"] == "person_id");
  CHECK(count_kind(h, "referral.refused") == 2);
  CHECK(count_kind(h, "referral.accepted") == 0);
  std::this_thread::sleep_for(200ms);
  CHECK(h.jobbtorg_stats()["by_referral"].empty());
}

TEST_CASE("operators' refusals are audited: an unknown message id, a bad dead-letter query, an unknown replay id") {
  ReferralHarness h("referral_operator_refusals");
  CHECK(h.gateway_get("/v1/messages/no-such-message", kOperatorToken).status == 404);
  CHECK(h.gateway_get("/v1/dead-letters?limit=0", kOperatorToken).status == 400);
  CHECK(h.gateway_get("/v1/dead-letters?colour=red", kOperatorToken).status == 400);
  CHECK(h.gateway_get("/v1/dead-letters?since=%zz", kOperatorToken).status == 400);
  CHECK(h.gateway_post("/v1/dead-letters/no-such-message/replay", "", kOperatorToken).status == 404);
  std::multiset<int> statuses;
  for (const auto& r : h.audit_records()) {
    if (r.kind != "operator.access_refused") continue;
    statuses.insert(r.body["status"].get<int>());
    CHECK(r.body["client"] == "operator");
  }
  CHECK(statuses == std::multiset<int>{400, 400, 400, 404, 404});
}

TEST_CASE("bytes that are not UTF-8 in the target and a parameter's name are refused, audited escaped, and the chain verifies") {
  ReferralHarness h("referral_not_utf8");
  CHECK(raw_status(h.gateway_port(), "/v1/events?\xff\xc0=1", kCaseSystemToken) == 400);
  CHECK(raw_status(h.gateway_port(), "/v1/dead-letters?limit=5&\xc0\xff=x", kOperatorToken) == 400);
  CHECK(raw_status(h.gateway_port(), "/v1/events?%FF%C0=1", kCaseSystemToken) == 400);
  CHECK(raw_status(h.gateway_port(), "/v1/\xff\xc0", "") == 404);
  h.stop_gateway();

  const std::string marker = "\xEF\xBF\xBD";  // U+FFFD: the text holds escaped bytes
  std::vector<std::string> names;
  std::uint64_t unmatched = 0;
  for (const auto& r : h.audit_records()) {
    if (r.kind == "event_feed.refused" || r.kind == "operator.access_refused") {
      names.push_back(r.body["invalid_params"][0]["name"].get<std::string>());
    } else if (r.kind == "http.unauthenticated_refusals") {
      for (const auto& refused : r.body["refused"]) {
        if (refused["route"] == "GET (no route)" && refused["status"] == 404) unmatched += refused["count"].get<std::uint64_t>();
      }
    }
  }
  CHECK(names == std::vector<std::string>{marker + "\\xff\\xc0", marker + "\\xc0\\xff", marker + "\\xff\\xc0"});
  CHECK(unmatched == 1);
  CHECK(chain_verifies(h));
}

TEST_CASE("1,000 unauthenticated requests from one address are a few audit records, appended at a clean stop, and 429 past the limit") {
  ReferralHarness h("referral_unauthenticated_flood");
  int unauthenticated = 0;
  int too_many = 0;
  for (int i = 0; i < 1000; ++i) {
    const int status = h.gateway_get("/v1/events", i % 2 == 0 ? "" : "not-a-token").status;
    unauthenticated += status == 401 ? 1 : 0;
    too_many += status == 429 ? 1 : 0;
  }
  CHECK(unauthenticated + too_many == 1000);
  CHECK(unauthenticated >= 60);  // the default burst
  CHECK(too_many > 0);
  h.stop_gateway();
  std::uint64_t counted = 0;
  int aggregates = 0;
  for (const auto& r : h.audit_records()) {
    CHECK(r.kind != "event_feed.refused");
    if (r.kind != "http.unauthenticated_refusals") continue;
    ++aggregates;
    CHECK(r.body["remote_address"] == "127.0.0.1");
    counted += r.body["count"].get<std::uint64_t>();
  }
  CHECK(counted == 1000);
  CHECK(aggregates >= 1);
  CHECK(aggregates <= 3);  // one a minute; the run may straddle a minute or two
  CHECK(chain_verifies(h));
}
