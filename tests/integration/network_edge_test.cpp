// The gateway's network edge through the real binary: who may ask for readiness and metrics, how
// often readiness reaches a partner, how a request's framing is judged, and console file names
// that once brought the process down.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <catch2/catch.hpp>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

#include "gateway_harness.h"

using namespace knutpunkt::testing;

namespace {

unsigned short gateway_port(const GatewayHarness& gw) {
  int port = 0;
  std::ifstream(gw.dir() / "gateway.port") >> port;
  return static_cast<unsigned short>(port);
}

// Sends `bytes` on a fresh connection and returns what comes back until the gateway closes it or
// `wait` passes: bytes no HTTP client library would send as they are.
std::string raw_exchange(unsigned short port, const std::string& bytes,
                         std::chrono::milliseconds wait = std::chrono::seconds{5}) {
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  REQUIRE(fd >= 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(port);
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  REQUIRE(connect(fd, reinterpret_cast<const sockaddr*>(&address), sizeof address) == 0);
  for (std::size_t sent = 0; sent < bytes.size();) {
    const auto n = send(fd, bytes.data() + sent, bytes.size() - sent, MSG_NOSIGNAL);
    if (n <= 0) break;  // the gateway may refuse from the header and close before the rest is sent
    sent += static_cast<std::size_t>(n);
  }
  std::string answer;
  const auto until = std::chrono::steady_clock::now() + wait;
  char buffer[4096];
  while (std::chrono::steady_clock::now() < until) {
    pollfd readable{fd, POLLIN, 0};
    if (poll(&readable, 1, 50) <= 0) continue;
    const auto n = recv(fd, buffer, sizeof buffer, 0);
    if (n <= 0) break;
    answer.append(buffer, static_cast<std::size_t>(n));
  }
  close(fd);
  return answer;
}

int status_of(const std::string& answer) {
  if (!answer.starts_with("HTTP/1.1 ") || answer.size() < 12) return 0;
  return std::stoi(answer.substr(9, 3));
}

std::string body_of(const std::string& answer) {
  const auto end = answer.find("\r\n\r\n");
  return end == std::string::npos ? std::string{} : answer.substr(end + 4);
}

const std::string kCaseBody = R"({"status":"open","unit":"Enskede","household":["191212121212"]})";

std::string referral_with(const std::string& framing_headers, const std::string& body) {
  return "POST /v1/referrals HTTP/1.1\r\nHost: gateway\r\nAuthorization: Bearer " + std::string(kCaseSystemToken) +
         "\r\nContent-Type: application/json\r\n" + framing_headers + "\r\n" + body;
}

std::string chunked(const std::string& body) {
  char size[32];
  std::snprintf(size, sizeof size, "%zx", body.size());
  return std::string(size) + "\r\n" + body + "\r\n0\r\n\r\n";
}

}  // namespace

TEST_CASE(
    "readiness and metrics answer operators only: 401 without a token, 403 for a case system, 200 for the "
    "operator") {
  GatewayHarness gw("edge_operator_routes");
  for (const std::string path : {"/readyz", "/metrics"}) {
    INFO(path);
    const auto anonymous = gw.get(path);
    CHECK(anonymous.status == 401);
    CHECK(anonymous.body["code"] == "unauthenticated");
    const auto case_system = gw.get_with(path, {{"Authorization", std::string("Bearer ") + kCaseSystemToken}});
    CHECK(case_system.status == 403);
    CHECK(case_system.body["code"] == "role_not_allowed");
    CHECK(gw.get_as_operator(path).status == 200);
  }
  // Liveness stays open, and says nothing about partners.
  const auto health = gw.get("/healthz");
  CHECK(health.status == 200);
  CHECK_FALSE(health.body.contains("checks"));
  // The connection figures are among the metrics.
  const auto metrics = gw.get_as_operator("/metrics");
  CHECK(metrics.text.find("knutpunkt_http_open_connections ") != std::string::npos);
  CHECK(metrics.text.find("knutpunkt_http_connection_limit_reached_total ") != std::string::npos);
  CHECK(metrics.text.find("knutpunkt_http_accept_errors_total ") != std::string::npos);
}

TEST_CASE("fifty readiness calls at once ping the partner once: only the background check does") {
  GatewayHarness gw("edge_readiness_cache");
  const unsigned short port = gateway_port(gw);
  std::vector<std::thread> callers;
  std::atomic<int> ready{0};
  for (int k = 0; k < 50; ++k) {
    callers.emplace_back([&] {
      httplib::Client client("127.0.0.1", port);
      client.set_read_timeout(10, 0);
      auto result = client.Get("/readyz", {{"Authorization", std::string("Bearer ") + kOperatorToken}});
      if (result && result->status == 200) ++ready;
    });
  }
  for (auto& caller : callers) caller.join();
  CHECK(ready == 50);
  const auto stats = gw.simulator_stats();
  INFO(stats.dump());
  CHECK(stats["by_operation"].value("testaBastjanstInformation", 0) == 1);
}

TEST_CASE(
    "transfer codings other than chunked alone are refused from the header, audited, and plain chunked is "
    "read") {
  GatewayHarness gw("edge_transfer_encoding");
  const unsigned short port = gateway_port(gw);
  const std::string body = R"({"person":"191212121212"})";
  struct Refused {
    std::string headers;
    std::string body;
    int status;
    std::string code;
  };
  const std::vector<Refused> refused = {
      {"Transfer-Encoding: gzip\r\n", chunked(body), 400, "invalid_framing"},
      {"Transfer-Encoding: chunked, gzip\r\n", chunked(body), 400, "invalid_framing"},
      {"Transfer-Encoding: identity\r\n", body, 400, "invalid_framing"},
      {"Transfer-Encoding: gzip, chunked\r\n", chunked(body), 501, "transfer_encoding_not_supported"},
      {"Transfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n", chunked(body), 400, "invalid_framing"},
      {"Transfer-Encoding: chunked\r\nContent-Length: " + std::to_string(body.size()) + "\r\n", chunked(body), 400,
       "invalid_framing"},
      {"Content-Length: " + std::to_string(body.size()) + "\r\nTransfer-Encoding: chunked\r\n", chunked(body), 400,
       "invalid_framing"},
      {"Transfer-Encoding: gzip\r\nContent-Length: " + std::to_string(body.size()) + "\r\n", body, 400,
       "invalid_framing"},
  };
  for (const auto& request : refused) {
    INFO(request.headers);
    const std::string answer = raw_exchange(port, referral_with(request.headers, request.body));
    INFO(answer);
    CHECK(status_of(answer) == request.status);
    CHECK(answer.find("application/problem+json") != std::string::npos);
    CHECK(answer.find("Connection: close") != std::string::npos);
    const auto problem = nlohmann::json::parse(body_of(answer), nullptr, false);
    CHECK(problem.value("code", "") == request.code);
    REQUIRE(problem.contains("invalid-params"));
  }
  std::size_t audited = 0;
  for (const auto& record : gw.audit_records()) {
    if (record.kind == "referral.refused" && (record.body.value("code", "") == "invalid_framing" ||
                                              record.body.value("code", "") == "transfer_encoding_not_supported")) {
      ++audited;
      CHECK(record.body.value("client", "") == "case-system");
    }
  }
  CHECK(audited == refused.size());

  // Chunked alone is read as the body it frames.
  const std::string put =
      "PUT /v1/cases/EB-2026-CHUNKED HTTP/1.1\r\nHost: gateway\r\nAuthorization: Bearer " +
      std::string(kCaseSystemToken) +
      "\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n" +
      chunked(kCaseBody);
  const std::string answer = raw_exchange(port, put);
  INFO(answer);
  CHECK(status_of(answer) == 201);
  CHECK(gw.get("/healthz").status == 200);
}

TEST_CASE("console file names far too long are not found and the gateway lives on") {
  GatewayHarness gw("edge_console_names");
  const unsigned short port = gateway_port(gw);
  // Fits the header limit, and recursed deep enough in a regular expression to end the process.
  const std::string long_name(8100, 'a');
  const std::string answer =
      raw_exchange(port, "GET /console/" + long_name + " HTTP/1.1\r\nHost: g\r\nConnection: close\r\n\r\n");
  INFO(answer.substr(0, 200));
  CHECK(status_of(answer) == 404);
  // Over the header limit: the connection is closed before the name is looked at.
  (void)raw_exchange(port, "GET /console/" + std::string(100000, 'a') + " HTTP/1.1\r\nHost: g\r\n\r\n",
                     std::chrono::seconds{2});
  CHECK(gw.get("/healthz").status == 200);
  CHECK(gw.get("/console/app.js").status == 200);
}
