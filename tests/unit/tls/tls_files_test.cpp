// Loading certificates and keys: refused for the reasons an operator must hear at start, reloaded
// without losing the working context when the new files are bad.

#include <boost/asio/ssl/context.hpp>
#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>

#include "temp_dir.h"
#include "test_pki.h"
#include "tls/certificate_info.h"
#include "tls/key_pair.h"
#include "tls/reloadable_context.h"
#include "tls/server_context.h"

namespace fs = std::filesystem;
namespace ssl = boost::asio::ssl;
using namespace std::chrono_literals;
using knutpunkt::config::KeyPairFiles;
namespace pki = knutpunkt::test_pki;
namespace tls = knutpunkt::tls;

namespace {

using knutpunkt::test_support::TempDir;

pki::Request server_request(pki::Validity validity = {}) {
  pki::Request request;
  request.common_name = "localhost";
  request.dns_names = {"localhost"};
  request.ip_addresses = {"127.0.0.1"};
  request.validity = validity;
  return request;
}

KeyPairFiles files_of(const pki::KeyPairFiles& written, std::string password = {}) {
  return {written.certificate.string(), written.key.string(), std::move(password)};
}

}  // namespace

TEST_CASE("A key file its group or others can read is refused before it is loaded, naming the file") {
  TempDir dir;
  pki::Authority ca("test CA");
  auto files = pki::write(dir.path, "server", ca.issue(server_request()));
  fs::permissions(files.key, fs::perms(0640));
  ssl::context context(ssl::context::tls_server);
  auto used = tls::use_key_pair(context, files_of(files));
  REQUIRE_FALSE(used);
  CHECK(used.error().find(files.key.string()) != std::string::npos);
  CHECK(used.error().find("0640") != std::string::npos);
  fs::permissions(files.key, fs::perms(0600));
  CHECK(tls::use_key_pair(context, files_of(files)));
}

TEST_CASE("A key that does not belong to the certificate is refused at load, not at the first handshake") {
  TempDir dir;
  pki::Authority ca("test CA");
  auto first = ca.issue(server_request());
  auto second = ca.issue(server_request());
  auto files = pki::write(dir.path, "mixed", {first.certificate_pem, second.key_pem});
  ssl::context context(ssl::context::tls_server);
  auto used = tls::use_key_pair(context, files_of(files));
  REQUIRE_FALSE(used);
  CHECK(used.error().find("does not belong") != std::string::npos);
}

TEST_CASE("An encrypted key loads with its password and is refused with a wrong one") {
  TempDir dir;
  pki::Authority ca("test CA");
  auto pair = ca.issue(server_request());
  pair.key_pem = pki::encrypt_key(pair.key_pem, "correct horse");
  auto files = pki::write(dir.path, "encrypted", pair);
  ssl::context right(ssl::context::tls_server);
  CHECK(tls::use_key_pair(right, files_of(files, "correct horse")));
  ssl::context wrong(ssl::context::tls_server);
  auto refused = tls::use_key_pair(wrong, files_of(files, "battery staple"));
  REQUIRE_FALSE(refused);
  CHECK(refused.error().find("cannot use the private key") != std::string::npos);
  CHECK(refused.error().find("battery") == std::string::npos);
}

TEST_CASE("A chain expires with its first member to expire") {
  TempDir dir;
  pki::Authority ca("short-lived CA", pki::Validity{-1h, 48h});
  auto leaf = ca.issue(server_request(pki::Validity{-1h, 24h * 90}));
  const auto before = std::chrono::system_clock::now();
  auto chain = pki::write_public(dir.path / "chain.crt", leaf.certificate_pem + ca.certificate_pem());
  auto not_after = tls::chain_not_after(chain.string());
  REQUIRE(not_after);
  CHECK(*not_after > before + 47h);
  CHECK(*not_after < before + 49h);
  CHECK_FALSE(tls::chain_not_after((dir.path / "missing.crt").string()));
}

TEST_CASE("A reload that finds bad files keeps the working context and its expiry; good files replace both") {
  TempDir dir;
  pki::Authority ca("test CA");
  auto files = pki::write(dir.path, "server", ca.issue(server_request(pki::Validity{-1h, 24h})));
  knutpunkt::config::ServerTlsSettings settings;
  settings.identity = files_of(files);
  auto created = tls::ReloadableContext::create(
      "server", [&] { return tls::build_server_context(settings); }, files.certificate.string());
  REQUIRE(created);
  auto context = *created;
  auto first = context->current();
  const auto first_expiry = context->not_after();
  REQUIRE(first_expiry);

  std::ofstream(files.certificate, std::ios::trunc) << "-----BEGIN CERTIFICATE-----\nhalf written";
  CHECK_FALSE(context->reload());
  CHECK(context->current() == first);
  CHECK(context->not_after() == first_expiry);

  pki::write(dir.path, "server", ca.issue(server_request(pki::Validity{-1h, 24h * 60})));
  REQUIRE(context->reload());
  CHECK(context->current() != first);
  CHECK(*context->not_after() > *first_expiry + 24h * 50);

  tls::ContextRegistry registry;
  registry.add(context);
  CHECK(registry.reload_all().empty());
  REQUIRE(registry.expiries().size() == 1);
  CHECK(registry.expiries()[0].name == "server");
}
