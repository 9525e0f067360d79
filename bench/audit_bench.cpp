// The audit log's group commit against its peer, one durable commit per record: the same
// AuditLog and SQLite store, once with one appender that waits for each record to be durable
// before sending the next (no batching possible: one fsync per record), once with many
// concurrent appenders whose records share commits. Figures are records/s and records per commit.
//
// usage: audit_bench --dir DIR [--records N] [--appenders N]
#include "audit/audit_log.h"
#include "store/sqlite/sqlite_store.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <future>
#include <iostream>
#include <map>
#include <string>
#include <thread>
#include <vector>

namespace kp = knutpunkt;
using Clock = std::chrono::steady_clock;

namespace {

nlohmann::json sample_body(int i) {
  return {{"lookup_id", "bench-" + std::to_string(i)},
          {"client", "bench"},
          {"caseworker", {{"id", "bench"}, {"unit", "bench"}}},
          {"case_id", "EB-2026-BENCH"},
          {"purpose", "ekonomiskt_bistand"},
          {"sources_asked", {"AF", "CSN", "FK", "SKV", "SO", "TNS", "MIV"}}};
}

struct Result {
  double per_second = 0;
  double per_commit = 0;
};

Result run(const std::filesystem::path& db, int records, int appenders) {
  std::filesystem::remove(db);
  std::filesystem::remove(db.string() + "-wal");
  std::filesystem::remove(db.string() + "-shm");
  auto store = kp::open_sqlite_store(db);
  auto log = kp::AuditLog::open(**store);
  const auto started = Clock::now();
  std::vector<std::thread> threads;
  const int per_thread = records / appenders;
  for (int t = 0; t < appenders; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < per_thread; ++i) {
        std::promise<void> durable;
        (*log)->append("bench", sample_body(t * per_thread + i), [&](auto) { durable.set_value(); });
        durable.get_future().wait();  // like a client waiting for its answer
      }
    });
  }
  for (auto& thread : threads) thread.join();
  const double seconds = std::chrono::duration<double>(Clock::now() - started).count();
  auto stats = (*log)->stats();
  (*log)->stop();
  return {static_cast<double>(stats.records) / seconds,
          static_cast<double>(stats.records) / static_cast<double>(std::max<std::uint64_t>(stats.commits, 1))};
}

}  // namespace

int main(int argc, char** argv) {
  std::map<std::string, std::string> options;
  for (int i = 1; i + 1 < argc; i += 2) options[std::string(argv[i]).substr(2)] = argv[i + 1];
  if (!options.contains("dir")) {
    std::cerr << "usage: audit_bench --dir DIR [--records N] [--appenders N]\n";
    return 2;
  }
  const int records = options.contains("records") ? std::stoi(options["records"]) : 2000;
  const int appenders = options.contains("appenders") ? std::stoi(options["appenders"]) : 32;
  const std::filesystem::path db = std::filesystem::path(options["dir"]) / "audit-bench.db";

  // Median of three alternating rounds per side: the disk is the noisiest part of the machine.
  std::vector<Result> single, group;
  for (int round = 0; round < 3; ++round) {
    single.push_back(run(db, records / 4, 1));
    group.push_back(run(db, records, appenders));
  }
  auto median = [](std::vector<Result> v) {
    std::sort(v.begin(), v.end(), [](const Result& a, const Result& b) { return a.per_second < b.per_second; });
    return v[1];
  };
  Result s = median(single), g = median(group);
  std::printf("audit append benchmark: SQLite WAL, synchronous=FULL, every record durable before its caller continues\n");
  std::printf("%-44s %12s %18s\n", "", "records/s", "records/commit");
  std::printf("%-44s %12.0f %18.1f\n", "peer: 1 appender (one fsync per record)", s.per_second, s.per_commit);
  std::printf("%-44s %12.0f %18.1f\n", ("group commit: " + std::to_string(appenders) + " appenders").c_str(), g.per_second,
              g.per_commit);
  std::printf("ratio group/peer: %.1fx\n", g.per_second / s.per_second);
  return 0;
}
