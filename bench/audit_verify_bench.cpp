// Chain verification over a large log, the parallel verifier (verify_chain: pages read in
// sequence, hashed on worker threads, stored bodies hashed as stored) side by side with its
// peer, the record-by-record verifier it replaced (reference_verifier.h: scan_audit, each body
// parsed and serialised again). Rounds alternate which one runs first; each run is a fresh
// process (fork), so its peak RSS (getrusage ru_maxrss) is its own. Both must find the log intact
// with the same head. Figures: records/s per run, medians, the ratio, peak RSS.
//
// The log is one audit_search_bench leaves: audit_search_bench --dir D --records N --keep 1
//
// usage: audit_verify_bench --db D/audit-search-bench.db [--rounds 3] [--workers 0] [--page-rows 2048]
//                           [--only now|before]
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <iostream>
#include <map>
#include <string>
#include <vector>

#include "audit/audit_verifier.h"
#include "reference_verifier.h"
#include "store/sqlite/sqlite_store.h"

namespace kp = knutpunkt;
using Clock = std::chrono::steady_clock;

namespace {

enum class Verifier { reference, parallel };

const char* name(Verifier v) {
  return v == Verifier::reference ? "record by record (before)" : "parallel pages (now)";
}

struct Run {
  double seconds = 0;
  long long records = 0;
  long max_rss_kb = 0;
  double cpu_seconds = 0;  // user + system, all threads
  int intact = 0;
  std::size_t peak_pages = 0;
  char head_hash[65] = {};
};

// Runs one verification in a child process and returns what it measured.
bool run_in_child(const std::filesystem::path& db, Verifier which, const kp::VerifyOptions& options, Run& out) {
  int fds[2];
  if (pipe(fds) != 0) return false;
  const pid_t pid = fork();
  if (pid < 0) return false;
  if (pid == 0) {
    close(fds[0]);
    Run r;
    auto opened = kp::open_sqlite_store(db);
    if (opened) {
      const auto started = Clock::now();
      auto report = which == Verifier::reference ? kp::bench::verify_chain_sequential(**opened)
                                                 : kp::verify_chain(**opened, std::nullopt, options);
      r.seconds = std::chrono::duration<double>(Clock::now() - started).count();
      if (report) {
        r.records = report->records;
        r.intact = report->intact() ? 1 : 0;
        r.peak_pages = report->peak_pages_held;
        std::snprintf(r.head_hash, sizeof r.head_hash, "%s", report->head_hash.c_str());
      }
    }
    rusage usage{};
    getrusage(RUSAGE_SELF, &usage);
    r.max_rss_kb = usage.ru_maxrss;
    r.cpu_seconds = static_cast<double>(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) +
                    static_cast<double>(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6;
    const bool written = write(fds[1], &r, sizeof r) == static_cast<ssize_t>(sizeof r);
    _exit(written ? 0 : 1);
  }
  close(fds[1]);
  const bool read_all = read(fds[0], &out, sizeof out) == static_cast<ssize_t>(sizeof out);
  close(fds[0]);
  int status = 0;
  waitpid(pid, &status, 0);
  return read_all && WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  const std::size_t n = v.size();
  return n % 2 == 1 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

}  // namespace

int main(int argc, char** argv) {
  std::map<std::string, std::string> options;
  for (int i = 1; i + 1 < argc; i += 2) options[std::string(argv[i]).substr(2)] = argv[i + 1];
  if (!options.contains("db") || !std::filesystem::exists(options["db"])) {
    std::cerr << "usage: audit_verify_bench --db FILE [--rounds 3] [--workers 0] [--page-rows 2048]\n"
                 "  FILE: a log audit_search_bench --keep 1 left (audit-search-bench.db)\n";
    return 2;
  }
  const auto option = [&](const char* key, long long fallback) {
    return options.contains(key) ? std::stoll(options[key]) : fallback;
  };
  const std::filesystem::path db = options["db"];
  const int rounds = static_cast<int>(std::max(1LL, option("rounds", 3)));
  kp::VerifyOptions verify_options;
  verify_options.hash_workers = static_cast<unsigned>(option("workers", 0));
  verify_options.page_rows = static_cast<std::size_t>(option("page-rows", 2048));

  // --only now | --only before: one side alone, e.g. under perf record.
  const std::string only = options.contains("only") ? options["only"] : "";
  std::map<Verifier, std::vector<double>> rates;
  std::map<Verifier, std::vector<double>> rss_mb;
  std::map<Verifier, std::vector<double>> cpu_rates;  // records per CPU second: less at the mercy of other load
  std::string head;
  long long records = -1;
  for (int round = 1; round <= rounds; ++round) {
    // Alternate which runs first, so a drift in the machine's load does not favour one side.
    const Verifier order[2] = {round % 2 == 1 ? Verifier::reference : Verifier::parallel,
                               round % 2 == 1 ? Verifier::parallel : Verifier::reference};
    for (Verifier v : order) {
      if (only.contains(v == Verifier::reference ? "now" : "before")) continue;
      Run r;
      if (!run_in_child(db, v, verify_options, r) || r.intact != 1) {
        std::cerr << name(v) << ": verification failed or found the log not intact\n";
        return 1;
      }
      if (records < 0) {
        records = r.records;
        head = r.head_hash;
      } else if (r.records != records || head != r.head_hash) {
        std::cerr << name(v) << ": a different verdict (records or head) than the other run\n";
        return 1;
      }
      const double rate = static_cast<double>(r.records) / r.seconds;
      rates[v].push_back(rate);
      rss_mb[v].push_back(static_cast<double>(r.max_rss_kb) / 1024.0);
      cpu_rates[v].push_back(static_cast<double>(r.records) / r.cpu_seconds);
      std::printf(
          "round %d  %-27s %10.0f records/s  %7.2f s  %7.2f CPU s  peak RSS %7.1f MB%s\n", round, name(v), rate,
          r.seconds, r.cpu_seconds, static_cast<double>(r.max_rss_kb) / 1024.0,
          v == Verifier::parallel ? ("  (pages held at most: " + std::to_string(r.peak_pages) + ")").c_str() : "");
    }
  }
  if (!only.empty()) return 0;
  const double before = median(rates[Verifier::reference]);
  const double now = median(rates[Verifier::parallel]);
  std::printf("\n%lld records, %d rounds, medians:\n", records, rounds);
  for (Verifier v : {Verifier::reference, Verifier::parallel}) {
    std::printf("  %-27s %10.0f records/s  %10.0f records per CPU s  peak RSS %7.1f MB\n", name(v), median(rates[v]),
                median(cpu_rates[v]), median(rss_mb[v]));
  }
  std::printf("  ratio now/before: %.2fx (wall clock), %.2fx (per CPU second)\n", now / before,
              median(cpu_rates[Verifier::parallel]) / median(cpu_rates[Verifier::reference]));
  return 0;
}
