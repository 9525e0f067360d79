// The gateway's server context in real handshakes over loopback: TLS 1.2+ only, ALPN http/1.1,
// client certificates asked for, required and described as client authentication binds them.
#include "tls/server_context.h"

#include <openssl/ssl.h>
#include <unistd.h>

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <catch2/catch.hpp>
#include <filesystem>
#include <functional>
#include <optional>
#include <thread>

#include "test_pki.h"
#include "tls/certificate_info.h"

namespace fs = std::filesystem;
namespace asio = boost::asio;
namespace ssl = asio::ssl;
using tcp = asio::ip::tcp;
using namespace std::chrono_literals;
namespace pki = knutpunkt::test_pki;
namespace tls = knutpunkt::tls;

namespace {

struct Pki {
  fs::path dir;
  pki::Authority server_ca{"server CA"};
  pki::Authority client_ca{"client CA"};
  pki::KeyPairFiles server;
  fs::path server_ca_file;
  fs::path client_ca_file;

  Pki() {
    dir = fs::temp_directory_path() / ("knutpunkt-tls-handshake-" + std::to_string(::getpid()));
    fs::create_directories(dir);
    pki::Request request;
    request.common_name = "localhost";
    request.dns_names = {"localhost"};
    request.ip_addresses = {"127.0.0.1"};
    server = pki::write(dir, "server", server_ca.issue(request));
    server_ca_file = pki::write_public(dir / "server-ca.crt", server_ca.certificate_pem());
    client_ca_file = pki::write_public(dir / "client-ca.crt", client_ca.certificate_pem());
  }
  ~Pki() { fs::remove_all(dir); }

  pki::KeyPairFiles client(const std::string& stem, const pki::Authority& ca) const {
    pki::Request request;
    request.common_name = "Ekonomiskt bistånd";
    request.organisation = "Exempel kommun";
    request.serial_number = "SE2120001234-0001";
    request.server = false;
    return pki::write(dir, stem, ca.issue(request));
  }

  tls::ServerTlsSettings settings() const {
    tls::ServerTlsSettings settings;
    settings.identity = {server.certificate.string(), server.key.string(), {}};
    return settings;
  }
};

struct Outcome {
  bool client_ok = false;
  bool server_ok = false;
  std::string alpn;
  std::optional<tls::PeerCertificate> peer;
};

// One handshake between the server context and a client context the test sets up.
Outcome handshake(ssl::context& server_context, const std::function<void(ssl::context&, SSL*)>& setup_client,
                  const fs::path& trust) {
  asio::io_context io;
  tcp::acceptor acceptor(io, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0));
  Outcome outcome;
  std::thread server([&] {
    tcp::socket socket(io);
    acceptor.accept(socket);
    ssl::stream<tcp::socket> stream(std::move(socket), server_context);
    boost::system::error_code ec;
    stream.handshake(ssl::stream_base::server, ec);
    outcome.server_ok = !ec;
    if (!ec) {
      if (X509* peer = SSL_get1_peer_certificate(stream.native_handle())) {
        outcome.peer = tls::describe(peer);
        X509_free(peer);
      }
    }
    stream.lowest_layer().close(ec);
  });
  ssl::context client_context(ssl::context::tls_client);
  client_context.load_verify_file(trust.string());
  client_context.set_verify_mode(ssl::verify_peer);
  ssl::stream<tcp::socket> client(io, client_context);
  setup_client(client_context, client.native_handle());
  client.lowest_layer().connect(acceptor.local_endpoint());
  boost::system::error_code ec;
  client.handshake(ssl::stream_base::client, ec);
  outcome.client_ok = !ec;
  if (!ec) {
    const unsigned char* protocol = nullptr;
    unsigned int size = 0;
    SSL_get0_alpn_selected(client.native_handle(), &protocol, &size);
    outcome.alpn.assign(reinterpret_cast<const char*>(protocol), size);
  }
  client.lowest_layer().close(ec);
  server.join();
  return outcome;
}

void offer_alpn(SSL* ssl, std::string_view protocols) {
  SSL_set_alpn_protos(ssl, reinterpret_cast<const unsigned char*>(protocols.data()),
                      static_cast<unsigned int>(protocols.size()));
}

void use_client_certificate(SSL* ssl, const pki::KeyPairFiles& files) {
  SSL_use_certificate_chain_file(ssl, files.certificate.c_str());
  SSL_use_PrivateKey_file(ssl, files.key.c_str(), SSL_FILETYPE_PEM);
}

}  // namespace

TEST_CASE("The server speaks TLS 1.2 and 1.3 and refuses TLS 1.1") {
  Pki pki;
  auto context = tls::build_server_context(pki.settings());
  REQUIRE(context);
  auto modern = handshake(
      **context, [](ssl::context&, SSL*) {}, pki.server_ca_file);
  CHECK(modern.client_ok);
  CHECK(modern.server_ok);
  auto tls12 = handshake(
      **context, [](ssl::context&, SSL* ssl) { SSL_set_max_proto_version(ssl, TLS1_2_VERSION); }, pki.server_ca_file);
  CHECK(tls12.server_ok);
  auto tls11 = handshake(
      **context,
      [](ssl::context&, SSL* ssl) {
        SSL_set_security_level(ssl, 0);
        SSL_set_min_proto_version(ssl, TLS1_1_VERSION);
        SSL_set_max_proto_version(ssl, TLS1_1_VERSION);
      },
      pki.server_ca_file);
  CHECK_FALSE(tls11.server_ok);
  CHECK_FALSE(tls11.client_ok);
}

TEST_CASE("ALPN selects http/1.1 and refuses a client that offers only h2") {
  Pki pki;
  auto context = tls::build_server_context(pki.settings());
  REQUIRE(context);
  auto both = handshake(
      **context, [](ssl::context&, SSL* ssl) { offer_alpn(ssl, "\x02h2\x08http/1.1"); }, pki.server_ca_file);
  CHECK(both.client_ok);
  CHECK(both.alpn == "http/1.1");
  auto h2_only = handshake(
      **context, [](ssl::context&, SSL* ssl) { offer_alpn(ssl, "\x02h2"); }, pki.server_ca_file);
  CHECK_FALSE(h2_only.server_ok);
}

TEST_CASE(
    "A required client certificate: none fails the handshake, one from another CA too, the right one is described") {
  Pki pki;
  auto settings = pki.settings();
  settings.client_ca_file = pki.client_ca_file.string();
  settings.client_certificate_required = true;
  auto context = tls::build_server_context(settings);
  REQUIRE(context);

  CHECK_FALSE(handshake(
                  **context, [](ssl::context&, SSL*) {}, pki.server_ca_file)
                  .server_ok);

  pki::Authority stranger("someone else's CA");
  auto foreign = pki.client("foreign", stranger);
  CHECK_FALSE(handshake(
                  **context, [&](ssl::context&, SSL* ssl) { use_client_certificate(ssl, foreign); }, pki.server_ca_file)
                  .server_ok);

  auto ours = pki.client("ours", pki.client_ca);
  auto accepted = handshake(
      **context, [&](ssl::context&, SSL* ssl) { use_client_certificate(ssl, ours); }, pki.server_ca_file);
  REQUIRE(accepted.server_ok);
  REQUIRE(accepted.peer);
  CHECK(accepted.peer->subject_serial_number == "SE2120001234-0001");
  CHECK(accepted.peer->issuer.find("CN=client CA") != std::string::npos);
  CHECK(accepted.peer->sha256.size() == 64);
}

TEST_CASE("An optional client certificate: a client without one is let through for the HTTP layer to judge") {
  Pki pki;
  auto settings = pki.settings();
  settings.client_ca_file = pki.client_ca_file.string();
  auto context = tls::build_server_context(settings);
  REQUIRE(context);
  auto without = handshake(
      **context, [](ssl::context&, SSL*) {}, pki.server_ca_file);
  CHECK(without.server_ok);
  CHECK_FALSE(without.peer);
}
