// Lookup throughput and latency through the gateway, side by side with its peer: the same
// question asked of the SSBTEK simulator directly (one hamtaBastjanstInformation with every
// source included, as a case system does without knutpunkt). Same machine, same run, same
// concurrency, so the ratio is what to read; absolute numbers depend on the machine.
//
// usage: lookup_bench --gateway PORT --simulator PORT --token TOKEN --peer-request FILE
//                     [--concurrency N] [--seconds S] [--warmup S]
#include <httplib.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <map>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

namespace {

using Clock = std::chrono::steady_clock;

struct Figures {
  std::size_t ok = 0;
  std::size_t failed = 0;
  double seconds = 0;
  std::vector<double> latencies_ms;

  double per_second() const { return ok / seconds; }
  double percentile(double p) const {
    if (latencies_ms.empty()) return 0;
    std::vector<double> sorted = latencies_ms;
    std::sort(sorted.begin(), sorted.end());
    std::size_t index = std::min(sorted.size() - 1, static_cast<std::size_t>(p * static_cast<double>(sorted.size())));
    return sorted[index];
  }
};

// Runs `concurrency` client threads, each with its own kept-alive connection, for `seconds`.
template <typename Call>
Figures run(int concurrency, double seconds, Call call) {
  std::vector<Figures> per_thread(static_cast<std::size_t>(concurrency));
  std::vector<std::thread> threads;
  const auto until = Clock::now() + std::chrono::duration<double>(seconds);
  const auto started = Clock::now();
  for (int t = 0; t < concurrency; ++t) {
    threads.emplace_back([&, t] {
      auto& figures = per_thread[static_cast<std::size_t>(t)];
      auto state = call.make_client();
      while (Clock::now() < until) {
        const auto t0 = Clock::now();
        bool ok = call(*state);
        const double ms = std::chrono::duration<double, std::milli>(Clock::now() - t0).count();
        if (ok) {
          ++figures.ok;
          figures.latencies_ms.push_back(ms);
        } else {
          ++figures.failed;
        }
      }
    });
  }
  for (auto& thread : threads) thread.join();
  Figures total;
  total.seconds = std::chrono::duration<double>(Clock::now() - started).count();
  for (auto& f : per_thread) {
    total.ok += f.ok;
    total.failed += f.failed;
    total.latencies_ms.insert(total.latencies_ms.end(), f.latencies_ms.begin(), f.latencies_ms.end());
  }
  return total;
}

std::unique_ptr<httplib::Client> kept_alive_client(int port) {
  auto client = std::make_unique<httplib::Client>("127.0.0.1", port);
  client->set_keep_alive(true);
  client->set_read_timeout(30, 0);
  return client;
}

struct GatewayCall {
  int port;
  std::string token;
  std::string body;
  std::unique_ptr<httplib::Client> make_client() const { return kept_alive_client(port); }
  bool operator()(httplib::Client& client) const {
    auto result = client.Post("/v1/lookups/ssbtek", {{"Authorization", "Bearer " + token}}, body, "application/json");
    if (!result || result->status != 200) return false;
    // Count only complete answers: a partial one would flatter the gateway.
    return result->body.find("\"status\":\"complete\"") != std::string::npos;
  }
};

struct PeerCall {
  int port;
  std::string body;
  std::unique_ptr<httplib::Client> make_client() const { return kept_alive_client(port); }
  bool operator()(httplib::Client& client) const {
    auto result = client.Post("/ssbtek", {{"SOAPAction", "\"\""}}, body, "text/xml; charset=utf-8");
    return result && result->status == 200;
  }
};

void print_row(const char* name, const Figures& f) {
  std::printf("%-34s %10.1f %10.2f %10.2f %8zu %8zu\n", name, f.per_second(), f.percentile(0.50), f.percentile(0.99), f.ok,
              f.failed);
}

}  // namespace

int main(int argc, char** argv) {
  std::map<std::string, std::string> options;
  for (int i = 1; i + 1 < argc; i += 2) options[std::string(argv[i]).substr(2)] = argv[i + 1];
  for (const char* required : {"gateway", "simulator", "token", "peer-request"}) {
    if (!options.contains(required)) {
      std::cerr << "usage: lookup_bench --gateway PORT --simulator PORT --token TOKEN --peer-request FILE "
                   "[--concurrency N] [--seconds S] [--warmup S]\n";
      return 2;
    }
  }
  const int concurrency = options.contains("concurrency") ? std::stoi(options["concurrency"]) : 8;
  const double seconds = options.contains("seconds") ? std::stod(options["seconds"]) : 10;
  const double warmup = options.contains("warmup") ? std::stod(options["warmup"]) : 2;

  std::ifstream peer_file(options["peer-request"]);
  std::stringstream peer_body;
  peer_body << peer_file.rdbuf();

  nlohmann::json request = {
      {"person", "191212121212"},
      {"case_id", "EB-2026-BENCH"},
      {"purpose", "ekonomiskt_bistand"},
      {"legal_basis", "11 kap. 11 § SoL"},
      {"period", {{"from", "2026-08-01"}, {"to", "2026-10-31"}}},
      {"sources", {"AF", "CSN", "FK", "SKV", "SO", "TNS", "MIV"}},
      {"caseworker", {{"id", "bench"}, {"unit", "bench"}}},
  };
  GatewayCall gateway{std::stoi(options["gateway"]), options["token"], request.dump()};
  PeerCall peer{std::stoi(options["simulator"]), peer_body.str()};

  run(concurrency, warmup, gateway);
  run(concurrency, warmup, peer);
  // Alternate twice so drift on a noisy machine hits both sides alike; report the median round.
  std::vector<Figures> gateway_rounds, peer_rounds;
  for (int round = 0; round < 3; ++round) {
    gateway_rounds.push_back(run(concurrency, seconds / 3, gateway));
    peer_rounds.push_back(run(concurrency, seconds / 3, peer));
  }
  auto median = [](std::vector<Figures> rounds) {
    std::sort(rounds.begin(), rounds.end(), [](const Figures& a, const Figures& b) { return a.per_second() < b.per_second(); });
    return rounds[rounds.size() / 2];
  };
  Figures g = median(gateway_rounds);
  Figures p = median(peer_rounds);

  std::printf("lookup benchmark: 7 sources per lookup, %d concurrent clients, kept-alive connections, median of 3 rounds\n",
              concurrency);
  std::printf("%-34s %10s %10s %10s %8s %8s\n", "", "per s", "p50 ms", "p99 ms", "ok", "failed");
  print_row("gateway (7 SOAP calls + audit)", g);
  print_row("peer: simulator direct (1 call)", p);
  std::printf("ratio gateway/peer: throughput %.2f, p50 latency %.2f\n", g.per_second() / p.per_second(),
              g.percentile(0.5) / std::max(p.percentile(0.5), 1e-9));
  if (g.failed + p.failed > 0) {
    std::printf("note: failed = non-200 or partial answers (a source past its deadline); they are left out of the figures\n");
  }
  return g.ok > 0 && p.ok > 0 ? 0 : 1;
}
