// The durability claim of AuditLog + SqliteStore: a record whose on_durable reported success is
// in the database after the process is killed at any moment, and the chain still verifies.
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <catch2/catch.hpp>
#include <chrono>
#include <random>
#include <set>
#include <thread>

#include "audit/audit_verifier.h"
#include "audit_test_support.h"

using namespace audit_test;

namespace {

// Child: appends forever, writing each acknowledged seq to `ack_fd`. Never returns.
[[noreturn]] void append_until_killed(const std::filesystem::path& file, int ack_fd) {
  auto store = knutpunkt::open_sqlite_store(file);
  if (!store) _exit(3);
  auto log = knutpunkt::AuditLog::open(**store);
  if (!log) _exit(4);
  std::atomic<int> in_flight{0};
  for (std::int64_t i = 0;; ++i) {
    // Bounded queue: enough for group commits, without unbounded memory before the kill.
    while (in_flight.load() > 256) std::this_thread::yield();
    ++in_flight;
    (*log)->append("lookup", {{"i", i}, {"case", "C-crash"}},
                   [&in_flight, ack_fd](std::expected<knutpunkt::AuditReceipt, knutpunkt::StoreError> r) {
                     if (!r) _exit(5);
                     const std::int64_t seq = r->seq;
                     // 8 bytes < PIPE_BUF: the write is atomic.
                     if (write(ack_fd, &seq, sizeof seq) != sizeof seq) _exit(6);
                     --in_flight;
                   });
  }
}

}  // namespace

TEST_CASE("every acknowledged record survives SIGKILL at a random moment and the chain stays intact") {
  TempDir dir;
  const auto file = dir.path / "k.db";
  { auto store = open_store(file); }  // schema created before the first child starts

  const auto seed = std::random_device{}();
  INFO("seed " << seed);
  std::mt19937 random(seed);
  std::uniform_int_distribution<int> kill_after_ms(20, 250);

  std::set<std::int64_t> acknowledged;
  for (int round = 0; round < 6; ++round) {
    int fds[2];
    REQUIRE(pipe(fds) == 0);
    const pid_t child = fork();
    REQUIRE(child >= 0);
    if (child == 0) {
      close(fds[0]);
      append_until_killed(file, fds[1]);
    }
    close(fds[1]);

    // Read acks while the child runs, so the pipe never fills and stalls it.
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(kill_after_ms(random));
    std::int64_t seq = 0;
    std::size_t have = 0;
    auto read_acks = [&](int timeout_ms) {
      pollfd p{fds[0], POLLIN, 0};
      if (poll(&p, 1, timeout_ms) <= 0) return true;
      char* into = reinterpret_cast<char*>(&seq) + have;
      const ssize_t n = read(fds[0], into, sizeof seq - have);
      if (n <= 0) return false;  // EOF
      have += static_cast<std::size_t>(n);
      if (have == sizeof seq) {
        acknowledged.insert(seq);
        have = 0;
      }
      return true;
    };
    while (std::chrono::steady_clock::now() < deadline) {
      if (!read_acks(5)) break;
    }
    kill(child, SIGKILL);
    int status = 0;
    REQUIRE(waitpid(child, &status, 0) == child);
    INFO("child status " << status);
    REQUIRE(WIFSIGNALED(status));  // it did not exit on an error of its own
    while (read_acks(0)) {
    }
    close(fds[0]);

    auto store = open_store(file);
    std::set<std::int64_t> present;
    REQUIRE(store
                ->scan_audit(1,
                             [&](const knutpunkt::AuditRecord& r) {
                               present.insert(r.seq);
                               return true;
                             })
                .has_value());
    std::vector<std::int64_t> lost;
    std::ranges::set_difference(acknowledged, present, std::back_inserter(lost));
    INFO("round " << round << ": " << lost.size() << " acknowledged records lost, first seq "
                  << (lost.empty() ? 0 : lost.front()));
    REQUIRE(lost.empty());
    auto report = knutpunkt::verify_chain(*store);
    REQUIRE(report.has_value());
    INFO("round " << round);
    REQUIRE(report->intact());
    CHECK(report->records == static_cast<std::int64_t>(present.size()));
  }
  // The test means nothing if no append was ever acknowledged before a kill.
  CHECK(acknowledged.size() > 0);
}
