// The gateway as a service: how it stops (SIGTERM drains), what SIGHUP does (nothing fatal), and
// who may read the files it creates.
#include <signal.h>
#include <sys/stat.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <exception>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <thread>
#include <vector>

#include "gateway_harness.h"

using namespace knutpunkt::testing;
using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

namespace {

bool log_mentions(const GatewayHarness& gw, const std::string& event, std::chrono::milliseconds limit) {
  const auto deadline = Clock::now() + limit;
  while (Clock::now() < deadline) {
    std::ifstream in(gw.gateway_log());
    const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    if (text.find(event) != std::string::npos) return true;
    std::this_thread::sleep_for(50ms);
  }
  return false;
}

}  // namespace

TEST_CASE("SIGTERM lets a lookup under way finish, takes no new connection, and exits 0 within the drain bound") {
  HarnessOptions options;
  options.source_timeout_ms = 5000;
  options.ssbtek_exchange = "per_source";
  GatewayHarness gw("drain_on_sigterm", options);
  gw.inject("FK", {{"mode", "none"}, {"latency_ms", 1500}});

  HttpReply reply;
  std::string client_error;  // the harness throws when no answer comes: the test says so instead
  std::thread client([&] {
    try {
      reply = gw.lookup(full_lookup_request());
    } catch (const std::exception& e) {
      client_error = e.what();
    }
  });
  // The signal must come while the lookup is waiting on FK: a lookup not yet accepted when
  // accepting stops would be refused, and a loaded machine can take longer than any fixed pause
  // to get it there. The readiness ping names every source too: FK's questions less the pings
  // are the lookup's.
  const auto lookup_asked_fk = [&] {
    const auto stats = gw.simulator_stats();
    return stats["by_source"].value("FK", 0) - stats["by_operation"].value("testaBastjanstInformation", 0) >= 1;
  };
  REQUIRE(eventually(lookup_asked_fk));
  const auto signalled = Clock::now();
  REQUIRE(::kill(gw.gateway_pid(), SIGTERM) == 0);
  // The gateway logs taking the signal just before it stops accepting; how soon it takes it
  // depends on the machine's load.
  REQUIRE(log_mentions(gw, "gateway.stopping", 5s));
  httplib::Client late("127.0.0.1", gw.port());
  late.set_connection_timeout(1);
  CHECK_FALSE(static_cast<bool>(late.Get("/healthz")));  // accepting stopped at the signal
  client.join();

  INFO(client_error << reply.text);
  REQUIRE(reply.status == 200);
  CHECK(reply.body["sources"]["FK"]["status"] == "ok");
  const auto exit_code = gw.wait_for_gateway_exit(10s);
  REQUIRE(exit_code.has_value());
  CHECK(*exit_code == 0);
  // The harness's drain bound is the default, 10 s: it stopped as soon as the lookup was answered.
  CHECK(Clock::now() - signalled < 8s);
  CHECK(log_mentions(gw, "gateway.stopping", 1s));
}

TEST_CASE("SIGHUP is logged as a reload request and the gateway goes on answering") {
  GatewayHarness gw("sighup_serves_on");
  REQUIRE(::kill(gw.gateway_pid(), SIGHUP) == 0);
  CHECK(log_mentions(gw, "gateway.reload_requested", 5s));
  CHECK(gw.get("/healthz").status == 200);
  CHECK_FALSE(gw.wait_for_gateway_exit(200ms).has_value());
}

TEST_CASE("the database, its WAL and the log are created readable by the service's user alone") {
  GatewayHarness gw("file_modes");
  REQUIRE(gw.lookup(full_lookup_request()).status == 200);  // the audit record makes the WAL
  const std::filesystem::path db = gw.db_path();
  const std::vector<std::filesystem::path> files{db, db.string() + "-wal", db.string() + "-shm", gw.gateway_log()};
  for (const auto& file : files) {
    struct stat info {};
    INFO(file.string());
    REQUIRE(::stat(file.c_str(), &info) == 0);
    CHECK((info.st_mode & 0777) == 0600);
  }
}
