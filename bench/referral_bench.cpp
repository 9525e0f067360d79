// Referral throughput, side by side with peers in one run:
//  1. Durable acceptance: referrals/s where every 202 follows the commit of the referral, its
//     outbox row and its audit record. With many clients the commits are shared (group commit);
//     the peer is the same gateway with one client, where every acceptance pays its own fsync.
//  2. End-to-end delivery: a burst of referrals accepted and delivered to a fast Jobbtorg
//     simulator (from the first POST to the last anvisning taken). The peer is the simulator's
//     own capacity: the same number of anvisningar posted to it directly.
//
//  3. With --stores, both again for each store setup side by side, in alternating rounds: e.g. the
//     SQLite gateway against one and three gateway instances sharing one PostgreSQL database
//     (clients spread over the instances), per setup and per instance, and what the one shared
//     audit chain costs (records per commit, acceptances per instance).
//
// usage: referral_bench --gateway PORT --jobbtorg PORT --token TOKEN --jobbtorg-token TOKEN
//                       --operator-token TOKEN (reads /metrics) [--concurrency N] [--seconds S] [--burst N]
//                       [--stores "LABEL=PORT[,PORT...];LABEL=PORT,..."]
#include <atomic>
#include <iostream>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>

#include "load_runner.h"

namespace {

using namespace knutpunkt::bench;

std::atomic<long> sequence{0};

// The consent a referral rests on, recorded by the bench's case system at the gateway on `port`
// (one per store: instances on one database share it). Empty when it could not be recorded.
std::string record_consent(int port, const std::string& token) {
  const auto day = [](int offset) {
    const std::chrono::year_month_day d{std::chrono::floor<std::chrono::days>(std::chrono::system_clock::now()) +
                                        std::chrono::days{offset}};
    char text[16];
    std::snprintf(text, sizeof text, "%04d-%02u-%02u", static_cast<int>(d.year()), static_cast<unsigned>(d.month()),
                  static_cast<unsigned>(d.day()));
    return std::string(text);
  };
  const nlohmann::json consent = {
      {"person_id", "19121212-1212"}, {"partner", "jobbtorg"},  {"information_types", {"ANVISNING"}},
      {"given_at", day(-1)},          {"expires_at", day(365)}, {"document_reference", "SAM-BENCH"},
      {"case_id", "EB-2026-BENCH"}};
  httplib::Client client("127.0.0.1", port);
  auto result = client.Post("/v1/consents", {{"Authorization", "Bearer " + token}}, consent.dump(), "application/json");
  if (!result || result->status != 201) return {};
  return nlohmann::json::parse(result->body, nullptr, false).value("consent_id", "");
}

// One registered case (scripts/bench registers it): each referral is its own ordering key anyway.
nlohmann::json referral(const std::string& consent_id) {
  return {{"case_id", "EB-2026-BENCH"},
          {"municipality", "0180"},
          {"unit", "Skärholmen ekonomiskt bistånd"},
          {"district", "skarholmen"},
          {"person_id", "19121212-1212"},
          {"caseworker", {{"id", "bench"}}},
          {"purpose", "arbetsmarknadsinsats"},
          {"target_group", "ARBETSFOR_STOD"},
          {"forsorjningshinder", "ARBETSLOS_INGEN_ERSATTNING"},
          {"extent_hours_per_week", 20},
          {"start_date", "2026-12-01"},
          {"consent_reference", consent_id}};
}

struct AcceptCall {
  int port;
  std::string token;
  std::string consent_id;
  std::unique_ptr<httplib::Client> make_client() const { return kept_alive_client(port); }
  bool operator()(httplib::Client& client) const {
    const long n = ++sequence;
    auto result = client.Post("/v1/referrals",
                              {{"Authorization", "Bearer " + token}, {"Idempotency-Key", "bench-" + std::to_string(n)}},
                              referral(consent_id).dump(), "application/json");
    return result && result->status == 202;
  }
};

// Each client thread keeps one connection to one instance, the instances taken in turn: what a
// load balancer in front of several gateway instances does.
struct SpreadAcceptCall {
  std::vector<int> ports;
  std::string token;
  std::string consent_id;
  std::shared_ptr<std::atomic<std::size_t>> turn = std::make_shared<std::atomic<std::size_t>>(0);
  std::unique_ptr<httplib::Client> make_client() const { return kept_alive_client(ports[(*turn)++ % ports.size()]); }
  bool operator()(httplib::Client& client) const { return AcceptCall{0, token, consent_id}(client); }
};

struct DirectAnvisningCall {
  int port;
  std::string token;
  std::unique_ptr<httplib::Client> make_client() const { return kept_alive_client(port); }
  bool operator()(httplib::Client& client) const {
    const long n = ++sequence;
    const std::string id = "direct-" + std::to_string(n);
    nlohmann::json body = {{"meddelandeId", id},
                           {"anvisningsId", id},
                           {"skickad", "2026-11-24T10:00:00.000Z"},
                           {"kommunkod", "0180"},
                           {"stadsdel", "skarholmen"},
                           {"person", {{"personnummer", "191212121212"}, {"skyddadIdentitet", false}}},
                           {"arende", {{"arendeId", "EB-BENCH-" + std::to_string(n)}, {"enhet", "Skärholmen"}}},
                           {"anvisandeHandlaggare", {{"id", "bench"}}},
                           {"malgrupp", "ARBETSFOR_STOD"},
                           {"forsorjningshinder", "ARBETSLOS_INGEN_ERSATTNING"},
                           {"omfattningTimmarPerVecka", 20},
                           {"startdatum", "2026-12-01"},
                           {"samtyckesreferens", "SAM-BENCH"}};
    auto result = client.Post("/api/v1/anvisningar", {{"Authorization", "Bearer " + token}, {"Idempotency-Key", id}},
                              body.dump(), "application/json");
    return result && result->status == 201;
  }
};

// /metrics is for operators: `operator_token` is an operator's token.
double metric(int gateway_port, const std::string& operator_token, const std::string& name) {
  httplib::Client client("127.0.0.1", gateway_port);
  auto result = client.Get("/metrics", {{"Authorization", "Bearer " + operator_token}});
  if (!result) return 0;
  const std::string key = "\n" + name + " ";
  const auto at = result->body.find(key);
  return at == std::string::npos ? 0 : std::stod(result->body.substr(at + key.size()));
}

long jobbtorg_effects(httplib::Client& client) {
  auto result = client.Get("/_sim/stats");
  if (!result || result->status != 200) return -1;
  return nlohmann::json::parse(result->body).value("effects", -1L);
}

// Posts `count` with `concurrency` clients as fast as they are answered; returns when all are.
template <typename Call>
std::size_t post_burst(int concurrency, std::size_t count, const Call& call) {
  std::atomic<std::size_t> next{0}, ok{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < concurrency; ++t) {
    threads.emplace_back([&] {
      auto client = call.make_client();
      while (next++ < count) ok += call(*client) ? 1 : 0;
    });
  }
  for (auto& t : threads) t.join();
  return ok;
}

double metric_sum(const std::vector<int>& ports, const std::string& operator_token, const std::string& name) {
  double total = 0;
  for (int port : ports) total += metric(port, operator_token, name);
  return total;
}

struct StoreSetup {
  std::string label;
  std::vector<int> ports;
};

// "LABEL=PORT[,PORT...];LABEL=..."
std::vector<StoreSetup> parse_setups(const std::string& text) {
  std::vector<StoreSetup> setups;
  std::stringstream all(text);
  std::string item;
  while (std::getline(all, item, ';')) {
    const auto eq = item.find('=');
    if (eq == std::string::npos) continue;
    StoreSetup setup{item.substr(0, eq), {}};
    std::stringstream ports(item.substr(eq + 1));
    std::string port;
    while (std::getline(ports, port, ',')) setup.ports.push_back(std::stoi(port));
    if (!setup.ports.empty()) setups.push_back(std::move(setup));
  }
  return setups;
}

// Waits until Jobbtorg has stopped receiving and the setup's outboxes are empty; returns its count.
long settle(httplib::Client& sim, const StoreSetup& setup, const std::string& operator_token) {
  long base = jobbtorg_effects(sim);
  for (int i = 0; i < 600; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    const long now = jobbtorg_effects(sim);
    if (now == base &&
        metric_sum(setup.ports, operator_token, "knutpunkt_delivery_queue_depth{destination=\"jobbtorg-sodra\"}") == 0)
      break;
    base = now;
  }
  return base;
}

bool compare_stores(const std::vector<StoreSetup>& setups, const std::string& token, const std::string& operator_token,
                    int jobbtorg_port, int concurrency, double seconds, std::size_t burst) {
  std::vector<std::vector<Figures>> rounds(setups.size());
  std::vector<double> records(setups.size()), commits(setups.size());
  std::vector<std::string> consents;
  for (const StoreSetup& setup : setups) {
    consents.push_back(record_consent(setup.ports.front(), token));
    if (consents.back().empty()) {
      std::fprintf(stderr, "referral_bench: no consent could be recorded at %s\n", setup.label.c_str());
      return false;
    }
    run(concurrency, 1, SpreadAcceptCall{setup.ports, token, consents.back()});
  }
  for (int round = 0; round < 3; ++round) {
    for (std::size_t i = 0; i < setups.size(); ++i) {
      const StoreSetup& setup = setups[i];
      const double r0 = metric_sum(setup.ports, operator_token, "knutpunkt_audit_records_total");
      const double c0 = metric_sum(setup.ports, operator_token, "knutpunkt_audit_commits_total");
      rounds[i].push_back(run(concurrency, seconds / 6, SpreadAcceptCall{setup.ports, token, consents[i]}));
      records[i] += metric_sum(setup.ports, operator_token, "knutpunkt_audit_records_total") - r0;
      commits[i] += metric_sum(setup.ports, operator_token, "knutpunkt_audit_commits_total") - c0;
    }
  }
  std::printf("\ndurable acceptance by store, %d clients spread over the instances, median of 3 alternating rounds\n",
              concurrency);
  std::printf("%-28s %9s %10s %12s %8s %8s %8s %12s\n", "", "instances", "per s", "per instance", "p50 ms", "p99 ms",
              "failed", "records/commit");
  double reference = 0;
  bool ok = true;
  for (std::size_t i = 0; i < setups.size(); ++i) {
    const Figures f = median(rounds[i]);
    if (i == 0) reference = f.per_second();
    ok = ok && f.ok > 0;
    std::printf("%-28s %9zu %10.1f %12.1f %8.2f %8.2f %8zu %12.1f   %.2fx\n", setups[i].label.c_str(),
                setups[i].ports.size(), f.per_second(), f.per_second() / static_cast<double>(setups[i].ports.size()),
                f.percentile(0.5), f.percentile(0.99), f.failed, commits[i] > 0 ? records[i] / commits[i] : 0.0,
                reference > 0 ? f.per_second() / reference : 0.0);
  }

  httplib::Client sim("127.0.0.1", jobbtorg_port);
  std::printf("\nend-to-end delivery by store: a burst of %zu referrals to the Jobbtorg simulator\n", burst);
  std::printf("%-28s %12s %12s %10s\n", "", "accepted/s", "delivered/s", "seconds");
  for (std::size_t i = 0; i < setups.size(); ++i) {
    const StoreSetup& setup = setups[i];
    const long base = settle(sim, setup, operator_token);
    const auto t0 = Clock::now();
    const std::size_t accepted = post_burst(concurrency, burst, SpreadAcceptCall{setup.ports, token, consents[i]});
    const double accept_s = std::chrono::duration<double>(Clock::now() - t0).count();
    bool all = false;
    const auto until = Clock::now() + std::chrono::seconds(300);
    while (Clock::now() < until && !(all = jobbtorg_effects(sim) >= base + static_cast<long>(accepted))) {
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    const double total_s = std::chrono::duration<double>(Clock::now() - t0).count();
    ok = ok && all;
    std::printf("%-28s %12.1f %12.1f %10.2f%s\n", setup.label.c_str(), accepted / accept_s, accepted / total_s, total_s,
                all ? "" : "  (not all delivered in 300 s)");
  }
  return ok;
}

}  // namespace

int main(int argc, char** argv) {
  std::map<std::string, std::string> options;
  for (int i = 1; i + 1 < argc; i += 2) options[std::string(argv[i]).substr(2)] = argv[i + 1];
  for (const char* required : {"gateway", "jobbtorg", "token", "jobbtorg-token", "operator-token"}) {
    if (!options.contains(required)) {
      std::cerr << "usage: referral_bench --gateway PORT --jobbtorg PORT --token TOKEN --jobbtorg-token TOKEN "
                   "--operator-token TOKEN [--concurrency N] [--seconds S] [--burst N] [--stores SETUPS]\n";
      return 2;
    }
  }
  const int gateway_port = std::stoi(options["gateway"]);
  const std::string operator_token = options["operator-token"];
  const int jobbtorg_port = std::stoi(options["jobbtorg"]);
  const int concurrency = options.contains("concurrency") ? std::stoi(options["concurrency"]) : 16;
  const double seconds = options.contains("seconds") ? std::stod(options["seconds"]) : 9;
  const std::size_t burst = options.contains("burst") ? std::stoul(options["burst"]) : 3000;

  // 1. Durable acceptance.
  AcceptCall accept{gateway_port, options["token"], record_consent(gateway_port, options["token"])};
  if (accept.consent_id.empty()) {
    std::fprintf(stderr,
                 "referral_bench: no consent could be recorded (does the token's client hold consent:record?)\n");
    return 1;
  }
  run(concurrency, 1, accept);
  std::vector<Figures> many, one;
  double records = 0, commits = 0;
  for (int round = 0; round < 3; ++round) {
    const double r0 = metric(gateway_port, operator_token, "knutpunkt_audit_records_total");
    const double c0 = metric(gateway_port, operator_token, "knutpunkt_audit_commits_total");
    many.push_back(run(concurrency, seconds / 6, accept));
    records += metric(gateway_port, operator_token, "knutpunkt_audit_records_total") - r0;
    commits += metric(gateway_port, operator_token, "knutpunkt_audit_commits_total") - c0;
    one.push_back(run(1, seconds / 6, accept));
  }
  const Figures m = median(many), o = median(one);
  std::printf(
      "durable acceptance: POST /v1/referrals, each 202 after its commit (SQLite WAL, synchronous=FULL), median of 3 "
      "rounds\n");
  std::printf("%-40s %10s %10s %10s %8s %8s\n", "", "per s", "p50 ms", "p99 ms", "ok", "failed");
  const std::string label = "gateway, " + std::to_string(concurrency) + " clients (group commit)";
  print_row(label.c_str(), m);
  print_row("peer: gateway, 1 client (fsync each)", o);
  std::printf(
      "ratio: %.1fx the acceptances per second; %.1f audit records per commit while %d clients sent "
      "(deliveries and pushes commit too)\n",
      m.per_second() / o.per_second(), commits > 0 ? records / commits : 0.0, concurrency);

  // 2. End-to-end delivery of a burst, after the acceptance backlog above has drained.
  httplib::Client sim("127.0.0.1", jobbtorg_port);
  auto drained = [&](long target, double limit_s) {
    const auto until = Clock::now() + std::chrono::duration<double>(limit_s);
    while (Clock::now() < until) {
      if (jobbtorg_effects(sim) >= target) return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    return false;
  };
  // Wait until Jobbtorg has everything accepted so far (the outbox is empty), so the burst is timed alone.
  long base = jobbtorg_effects(sim);
  for (int i = 0; i < 600; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    const long now = jobbtorg_effects(sim);
    if (now == base &&
        metric(gateway_port, operator_token, "knutpunkt_delivery_queue_depth{destination=\"jobbtorg-sodra\"}") == 0)
      break;
    base = now;
  }
  const auto t0 = Clock::now();
  const std::size_t accepted = post_burst(concurrency, burst, accept);
  const double accept_s = std::chrono::duration<double>(Clock::now() - t0).count();
  const bool all = drained(base + static_cast<long>(accepted), 300);
  const double end_to_end_s = std::chrono::duration<double>(Clock::now() - t0).count();

  DirectAnvisningCall direct{jobbtorg_port, options["jobbtorg-token"]};
  const auto p0 = Clock::now();
  const std::size_t direct_ok = post_burst(concurrency, burst, direct);
  const double direct_s = std::chrono::duration<double>(Clock::now() - p0).count();

  std::printf("\nend-to-end delivery: a burst of %zu referrals, %d clients, to the Jobbtorg simulator\n", burst,
              concurrency);
  std::printf("%-40s %10s %10s\n", "", "per s", "seconds");
  std::printf("%-40s %10.1f %10.2f\n", "gateway: accepted (202)", accepted / accept_s, accept_s);
  std::printf("%-40s %10.1f %10.2f%s\n", "gateway: accepted and delivered", accepted / end_to_end_s, end_to_end_s,
              all ? "" : "  (not all delivered in 300 s)");
  std::printf("%-40s %10.1f %10.2f\n", "peer: anvisningar posted directly", direct_ok / direct_s, direct_s);
  std::printf("ratio delivered/direct: %.2f\n", (accepted / end_to_end_s) / (direct_ok / direct_s));
  bool stores_ok = true;
  if (options.contains("stores")) {
    stores_ok = compare_stores(parse_setups(options["stores"]), options["token"], operator_token, jobbtorg_port,
                               concurrency, seconds, burst);
  }
  return m.ok > 0 && o.ok > 0 && all && stores_ok ? 0 : 1;
}
