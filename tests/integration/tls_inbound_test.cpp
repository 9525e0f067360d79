// The gateway's own port over TLS, against the real binary: what a client must present, what
// plain HTTP gets, how certificates rotate under load on SIGHUP, and what operators are told
// about expiry.
#include <openssl/bio.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <signal.h>

#include <algorithm>
#include <atomic>
#include <catch2/catch.hpp>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <string>
#include <thread>

#include "child_process.h"
#include "gateway_harness.h"

using namespace knutpunkt::testing;
namespace pki = knutpunkt::test_pki;
namespace fs = std::filesystem;
using namespace std::chrono_literals;

namespace {

// The notAfter of the certificate a fresh TLS connection to the gateway is served, as seconds from
// now (so the test reads it without a calendar), or nullopt when the handshake fails.
std::optional<long> served_certificate_lifetime(unsigned short port, const fs::path& ca) {
  SSL_CTX* context = SSL_CTX_new(TLS_client_method());
  SSL_CTX_load_verify_locations(context, ca.c_str(), nullptr);
  SSL_CTX_set_verify(context, SSL_VERIFY_PEER, nullptr);
  BIO* bio = BIO_new_ssl_connect(context);
  const std::string address = "127.0.0.1:" + std::to_string(port);
  BIO_set_conn_hostname(bio, address.c_str());
  std::optional<long> lifetime;
  if (BIO_do_connect(bio) == 1 && BIO_do_handshake(bio) == 1) {
    SSL* ssl = nullptr;
    BIO_get_ssl(bio, &ssl);
    if (X509* certificate = SSL_get1_peer_certificate(ssl)) {
      int days = 0;
      int seconds = 0;
      ASN1_TIME_diff(&days, &seconds, nullptr, X509_get0_notAfter(certificate));
      lifetime = static_cast<long>(days) * 86400 + seconds;
      X509_free(certificate);
    }
  }
  BIO_free_all(bio);
  SSL_CTX_free(context);
  return lifetime;
}

std::string issuer_rfc2253(const pki::Authority& ca) {
  BIO* in = BIO_new_mem_buf(ca.certificate_pem().data(), static_cast<int>(ca.certificate_pem().size()));
  X509* certificate = PEM_read_bio_X509(in, nullptr, nullptr, nullptr);
  BIO* out = BIO_new(BIO_s_mem());
  X509_NAME_print_ex(out, X509_get_subject_name(certificate), 0, XN_FLAG_RFC2253);
  char* data = nullptr;
  const long size = BIO_get_mem_data(out, &data);
  std::string name(data, static_cast<std::size_t>(size));
  BIO_free(out);
  X509_free(certificate);
  BIO_free(in);
  return name;
}

HarnessOptions tls_options() {
  HarnessOptions options;
  options.tls = true;
  return options;
}

bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

}  // namespace

TEST_CASE("Over TLS a case system is served, plain HTTP on the port gets nothing, and /readyz says the port is TLS") {
  GatewayHarness gw("tls_served", tls_options());
  auto healthz = gw.get("/healthz");
  CHECK(healthz.status == 200);
  CHECK(gw.lookup(full_lookup_request()).status == 200);

  httplib::Client plain("127.0.0.1", gw.port());
  plain.set_connection_timeout(2);
  plain.set_read_timeout(2);
  auto answer = plain.Get("/healthz");
  CHECK_FALSE(answer);

  auto ready = gw.get_as_operator("/readyz");
  CHECK(ready.body["transport"] == "tls");
  for (const auto& warning : ready.body.value("warnings", nlohmann::json::array()))
    CHECK(warning["code"] != "plain_http");
  auto metrics = gw.get_as_operator("/metrics").text;
  CHECK(contains(metrics, "knutpunkt_http_tls_handshake_failures_total "));
  CHECK_FALSE(contains(metrics, "knutpunkt_http_tls_handshake_failures_total 0\n"));
  CHECK(contains(metrics, "knutpunkt_certificate_expiry_seconds{name=\"server\"} "));
}

TEST_CASE("A plain HTTP gateway says so in /readyz") {
  GatewayHarness gw("plain_http_said");
  auto ready = gw.get_as_operator("/readyz");
  CHECK(ready.body["transport"] == "plain_http");
  bool warned = false;
  for (const auto& warning : ready.body["warnings"]) warned = warned || warning["code"] == "plain_http";
  CHECK(warned);
}

TEST_CASE(
    "A client bound to its certificate: its token alone is refused, a certificate alone serves a client bound to it, "
    "and one from another CA never gets past the handshake") {
  HarnessOptions options = tls_options();
  std::string issuer;
  options.edit_config = [&](nlohmann::json& config) {
    // The standing case system: token and certificate, bound by issuer and organisationsnummer.
    config["clients"][0]["certificate"] = {{"issuer", issuer}, {"serial_number", "2120000142"}};
    // An operator's scraper with no token at all, bound to the same certificate's issuer.
    config["clients"].push_back({{"id", "scraper"},
                                 {"roles", {"operator"}},
                                 {"purposes", nlohmann::json::array()},
                                 {"authentication", "certificate"},
                                 {"certificate", {{"issuer", issuer}, {"serial_number", "5567001234"}}}});
  };
  // The CA is made by the harness before the config is edited; its name is fixed, so it is known.
  issuer = "CN=knutpunkt test client CA,O=knutpunkt test,C=SE";
  GatewayHarness gw("tls_client_binding", options);
  REQUIRE(issuer_rfc2253(gw.client_authority()) == issuer);

  // With the certificate and the token (the harness's client): served.
  CHECK(gw.lookup(full_lookup_request()).status == 200);

  // The same token from a client without the certificate: unauthenticated.
  auto bare = gw.new_client(false);
  auto refused = bare->Post("/v1/lookups/ssbtek", {{"Authorization", std::string("Bearer ") + kCaseSystemToken}},
                            full_lookup_request().dump(), "application/json");
  REQUIRE(refused);
  CHECK(refused->status == 401);

  // The scraper's own certificate, no token: /metrics is an operator's.
  pki::Request scraper;
  scraper.common_name = "Driftövervakning";
  scraper.organisation = "Stockholms stad";
  scraper.serial_number = "5567001234";
  scraper.server = false;
  auto files = pki::write(gw.tls_dir(), "scraper", gw.client_authority().issue(scraper));
  httplib::Client scraper_client("https://localhost:" + std::to_string(gw.port()), files.certificate.string(),
                                 files.key.string());
  scraper_client.set_ca_cert_path((gw.tls_dir() / "server-ca.pem").string());
  scraper_client.enable_server_certificate_verification(true);
  auto metrics = scraper_client.Get("/metrics");
  REQUIRE(metrics);
  CHECK(metrics->status == 200);
  // The case system's certificate without its token proves nothing to a route that wants one.
  auto case_system_without_token = gw.new_client(true)->Get("/metrics");
  REQUIRE(case_system_without_token);
  CHECK(case_system_without_token->status == 401);

  // A certificate from another CA with the right subject: the handshake fails.
  pki::Authority stranger("knutpunkt test client CA");
  auto forged = pki::write(gw.tls_dir(), "forged", stranger.issue(scraper));
  httplib::Client forger("https://localhost:" + std::to_string(gw.port()), forged.certificate.string(),
                         forged.key.string());
  forger.set_ca_cert_path((gw.tls_dir() / "server-ca.pem").string());
  forger.enable_server_certificate_verification(true);
  CHECK_FALSE(forger.Get("/metrics"));
}

TEST_CASE(
    "SIGHUP rotates the server certificate under load: no request fails, new connections get the new "
    "certificate, and files that do not load leave the old one serving") {
  HarnessOptions options = tls_options();
  options.server_certificate_days = 20;
  GatewayHarness gw("tls_rotation", options);
  const auto ca = gw.tls_dir() / "server-ca.pem";
  const auto before = served_certificate_lifetime(gw.port(), ca);
  REQUIRE(before);
  CHECK(*before < 21 * 86400);

  // /readyz warns: the certificate expires within 30 days.
  auto ready = gw.get_as_operator("/readyz");
  bool warned = false;
  for (const auto& warning : ready.body["warnings"]) {
    if (warning["code"] == "certificate_expiring") {
      warned = true;
      CHECK(warning["certificate"] == "server");
      CHECK(warning["days_left"].get<int>() >= 19);
    }
  }
  CHECK(warned);

  std::atomic<bool> running{true};
  std::atomic<int> served{0};
  std::atomic<int> failed{0};
  std::thread load([&] {
    while (running) {
      auto client = gw.new_client();
      auto answer = client->Get("/healthz");
      (answer && answer->status == 200 ? served : failed)++;
    }
  });

  pki::Request renewed;
  renewed.common_name = "localhost";
  renewed.dns_names = {"localhost"};
  renewed.ip_addresses = {"127.0.0.1"};
  renewed.validity = {-std::chrono::hours(1), std::chrono::hours(24) * 365};
  pki::write(gw.tls_dir(), "server", gw.server_authority().issue(renewed));
  REQUIRE(::kill(gw.gateway_pid(), SIGHUP) == 0);
  std::optional<long> after;
  for (int i = 0; i < 50; ++i) {
    after = served_certificate_lifetime(gw.port(), ca);
    if (after && *after > 300 * 86400) break;
    std::this_thread::sleep_for(100ms);
  }
  REQUIRE(after);
  CHECK(*after > 300 * 86400);

  // A half-written certificate: the reload fails, the renewed one goes on serving.
  const auto reloads_logged = [&] {
    std::ifstream log(gw.gateway_log());
    const std::string text((std::istreambuf_iterator<char>(log)), std::istreambuf_iterator<char>());
    int n = 0;
    for (auto at = text.find("tls.reloaded"); at != std::string::npos; at = text.find("tls.reloaded", at + 1)) ++n;
    return n;
  };
  // The renewed certificate can be served before the first reload has logged its end.
  REQUIRE(eventually([&] { return reloads_logged() == 1; }));
  std::ofstream(gw.tls_dir() / "server.crt", std::ios::trunc) << "-----BEGIN CERTIFICATE-----\n";
  REQUIRE(::kill(gw.gateway_pid(), SIGHUP) == 0);
  // The load goes on until the failed reload is over, however long a loaded machine takes to
  // get to it: a fixed pause could end it before the reload was even tried.
  CHECK(eventually([&] { return reloads_logged() == 2; }));
  // Served after the failed reload too, and more than a handful in all: how many requests fit in
  // a fixed pause depends on the machine's load.
  const int served_by_reload = served;
  CHECK(eventually([&] { return served > std::max(10, served_by_reload); }));
  running = false;
  load.join();
  const auto still = served_certificate_lifetime(gw.port(), ca);
  REQUIRE(still);
  CHECK(*still > 300 * 86400);
  CHECK(failed == 0);
  CHECK(served > 10);
  std::ifstream log(gw.gateway_log());
  const std::string text((std::istreambuf_iterator<char>(log)), std::istreambuf_iterator<char>());
  CHECK(contains(text, "tls.reload_failed"));
  auto metrics = gw.get_as_operator("/metrics").text;
  CHECK(contains(metrics, "knutpunkt_certificate_expiry_seconds{name=\"server\"} 3"));  // about 31,5 million s
}

TEST_CASE("A server key its group can read stops the gateway at start, naming the file") {
  GatewayHarness gw("tls_key_mode", tls_options());
  gw.stop_gateway();
  fs::permissions(gw.tls_dir() / "server.key", fs::perms(0640));
  std::string output;
  const int code = run_command({"/bin/sh", "-c", "exec \"$0\" serve --config \"$1\" 2>&1", gateway_binary().string(),
                                (gw.dir() / "config.json").string()},
                               output);
  CHECK(code == 2);
  CHECK(contains(output, "server.key"));
  CHECK(contains(output, "0640"));
}
