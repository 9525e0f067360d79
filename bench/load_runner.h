#pragma once
// Load generation shared by the benchmarks: N client threads, each with its own kept-alive
// connection, for a fixed time; throughput and latency percentiles; median of alternating rounds.
#include <httplib.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <memory>
#include <thread>
#include <vector>

namespace knutpunkt::bench {

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
inline Figures run(int concurrency, double seconds, Call call) {
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

// The client certificate and the CA a TLS client of the gateway uses (files from
// scripts/lib/demo_pki.sh); empty: plain HTTP.
struct ClientTls {
  std::string ca;
  std::string certificate;
  std::string key;
};

inline std::unique_ptr<httplib::Client> kept_alive_client(int port, const ClientTls& tls = {}) {
  auto client = tls.ca.empty() ? std::make_unique<httplib::Client>("127.0.0.1", port)
                               : std::make_unique<httplib::Client>("https://127.0.0.1:" + std::to_string(port),
                                                                   tls.certificate, tls.key);
  if (!tls.ca.empty()) {
    client->set_ca_cert_path(tls.ca);
    client->enable_server_certificate_verification(true);
  }
  client->set_keep_alive(true);
  // cpp-httplib writes header and body separately: without this, Nagle and the server's delayed
  // ACK add 40 ms to every request, and the benchmark would measure that instead of the gateway.
  client->set_tcp_nodelay(true);
  client->set_read_timeout(30, 0);
  return client;
}

// Of rounds run alternately with a peer, the one with the median throughput.
inline Figures median(std::vector<Figures> rounds) {
  std::sort(rounds.begin(), rounds.end(),
            [](const Figures& a, const Figures& b) { return a.per_second() < b.per_second(); });
  return rounds[rounds.size() / 2];
}

inline void print_row(const char* name, const Figures& f) {
  std::printf("%-40s %10.1f %10.2f %10.2f %8zu %8zu\n", name, f.per_second(), f.percentile(0.50), f.percentile(0.99),
              f.ok, f.failed);
}

}  // namespace knutpunkt::bench
