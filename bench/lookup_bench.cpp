// Lookup throughput and latency through the gateway, side by side with its peer: the same
// question asked of the SSBTEK simulator directly (one hamtaBastjanstInformation with every
// source included, as a case system does without knutpunkt). Same machine, same run, same
// concurrency, so the ratio is what to read; absolute numbers depend on the machine.
// With --gateway-per-source, a second gateway configured to ask SSBTEK one call per source (the
// way knutpunkt asked before one call per lookup became the default) runs in the same rounds.
// With --gateway-tls, a gateway serving TLS (the bench's client presenting a client certificate)
// and calling a TLS simulator with mutual TLS runs in the same rounds: what TLS costs.
//
// usage: lookup_bench --gateway PORT --simulator PORT --token TOKEN --peer-request FILE
//                     [--gateway-per-source PORT] [--gateway-tls PORT --tls-ca FILE --tls-cert FILE --tls-key FILE]
//                     [--concurrency N] [--seconds S] [--warmup S]
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <map>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "load_runner.h"

namespace {

using namespace knutpunkt::bench;

struct GatewayCall {
  int port;
  std::string token;
  std::string body;
  ClientTls tls{};
  std::unique_ptr<httplib::Client> make_client() const { return kept_alive_client(port, tls); }
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
  const bool compare_exchange = options.contains("gateway-per-source");
  GatewayCall per_source{compare_exchange ? std::stoi(options["gateway-per-source"]) : 0, options["token"],
                         request.dump()};
  const bool compare_tls = options.contains("gateway-tls");
  GatewayCall over_tls{compare_tls ? std::stoi(options["gateway-tls"]) : 0, options["token"], request.dump(),
                       ClientTls{options["tls-ca"], options["tls-cert"], options["tls-key"]}};

  run(concurrency, warmup, gateway);
  if (compare_exchange) run(concurrency, warmup, per_source);
  if (compare_tls) run(concurrency, warmup, over_tls);
  run(concurrency, warmup, peer);
  // Alternate so drift on a noisy machine hits every side alike; report the median round.
  std::vector<Figures> gateway_rounds, per_source_rounds, tls_rounds, peer_rounds;
  for (int round = 0; round < 3; ++round) {
    gateway_rounds.push_back(run(concurrency, seconds / 3, gateway));
    if (compare_exchange) per_source_rounds.push_back(run(concurrency, seconds / 3, per_source));
    if (compare_tls) tls_rounds.push_back(run(concurrency, seconds / 3, over_tls));
    peer_rounds.push_back(run(concurrency, seconds / 3, peer));
  }
  Figures g = median(gateway_rounds);
  Figures p = median(peer_rounds);

  std::printf(
      "lookup benchmark: 7 sources per lookup, %d concurrent clients, kept-alive connections, median of 3 rounds\n",
      concurrency);
  std::printf("%-40s %10s %10s %10s %8s %8s\n", "", "per s", "p50 ms", "p99 ms", "ok", "failed");
  print_row("gateway, 1 SOAP call per lookup + audit", g);
  std::size_t failed = g.failed + p.failed;
  if (compare_exchange) {
    Figures s7 = median(per_source_rounds);
    print_row("gateway, 1 SOAP call per source + audit", s7);
    failed += s7.failed;
    std::printf("ratio one call per lookup / one per source: throughput %.2f, p50 latency %.2f\n",
                g.per_second() / std::max(s7.per_second(), 1e-9),
                g.percentile(0.5) / std::max(s7.percentile(0.5), 1e-9));
  }
  if (compare_tls) {
    Figures t = median(tls_rounds);
    print_row("gateway over TLS in, mutual TLS out", t);
    failed += t.failed;
    std::printf("ratio TLS / plain: throughput %.2f (TLS costs %.0f %%), p50 latency %.2f\n",
                t.per_second() / std::max(g.per_second(), 1e-9),
                100.0 * (1.0 - t.per_second() / std::max(g.per_second(), 1e-9)),
                t.percentile(0.5) / std::max(g.percentile(0.5), 1e-9));
  }
  print_row("peer: simulator direct (1 call)", p);
  std::printf("ratio gateway/peer: throughput %.2f, p50 latency %.2f\n", g.per_second() / p.per_second(),
              g.percentile(0.5) / std::max(p.percentile(0.5), 1e-9));
  if (failed > 0) {
    std::printf(
        "note: failed = non-200 or partial answers (a source past its deadline); they are left out of the figures\n");
  }
  return g.ok > 0 && p.ok > 0 ? 0 : 1;
}
