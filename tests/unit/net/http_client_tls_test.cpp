// https towards partners, against a TLS server on loopback whose certificates are made at run time:
// every way a handshake goes wrong is a tls_failed error that says why in an operator's words and
// never falls back to plain text; mutual TLS presents our organisation certificate; kept-alive
// connections skip the handshake and fresh ones resume the last session.
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <sys/socket.h>

#include <atomic>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <catch2/catch.hpp>
#include <chrono>
#include <fstream>
#include <future>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "net/http_client.h"
#include "pki_files.h"
#include "tls/reloadable_context.h"

namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;
using namespace std::chrono_literals;
using knutpunkt::net::HttpClient;
using knutpunkt::net::HttpRequest;
using knutpunkt::net::HttpResult;
using knutpunkt::net::TlsProfile;
using knutpunkt::net::TlsSettings;
using knutpunkt::net::TransportErrorKind;
using knutpunkt::test::CertificateSpec;
using knutpunkt::test::TestPki;

struct ServerSetup {
  std::filesystem::path certificate{};
  std::filesystem::path key{};
  std::filesystem::path client_ca{};  // set: a client certificate issued by it is required
  bool plain = false;                 // answer in plain HTTP, as a misconfigured port would
  // false: no session id context, so a client resuming a session (its certificate verified) is
  // refused with an internal-error alert, as some servers do
  bool resumable = true;
};

// A TLS server on 127.0.0.1, a thread per connection, answering every request with 200 and
// keep-alive. It counts handshakes, resumed sessions and requests and records client subjects.
class TlsServer {
 public:
  explicit TlsServer(ServerSetup setup) : setup_(std::move(setup)) {
    if (!setup_.plain) {
      SSL_CTX* ctx = context_.native_handle();
      context_.use_certificate_chain_file(setup_.certificate.string());
      context_.use_private_key_file(setup_.key.string(), asio::ssl::context::pem);
      static const unsigned char id[] = "knutpunkt-test";
      if (setup_.resumable) SSL_CTX_set_session_id_context(ctx, id, sizeof id - 1);
      if (!setup_.client_ca.empty()) {
        context_.load_verify_file(setup_.client_ca.string());
        SSL_CTX_set_client_CA_list(ctx, SSL_load_client_CA_file(setup_.client_ca.c_str()));
        context_.set_verify_mode(asio::ssl::verify_peer | asio::ssl::verify_fail_if_no_peer_cert);
      }
    }
    acceptor_.open(tcp::v4());
    acceptor_.set_option(tcp::acceptor::reuse_address(true));
    acceptor_.bind({asio::ip::make_address("127.0.0.1"), 0});
    acceptor_.listen();
    port_ = acceptor_.local_endpoint().port();
    accepting_ = std::thread([this] { accept_connections(); });
  }
  ~TlsServer() {
    stopping_ = true;
    {
      // Wakes the blocking accept.
      asio::io_context io;
      tcp::socket wake(io);
      beast::error_code ignored;
      wake.connect({asio::ip::make_address("127.0.0.1"), port_}, ignored);
    }
    accepting_.join();
    {
      std::lock_guard lock(mutex_);
      for (int fd : open_) ::shutdown(fd, SHUT_RDWR);
    }
    for (auto& worker : workers_) worker.join();
  }
  TlsServer(const TlsServer&) = delete;
  TlsServer& operator=(const TlsServer&) = delete;

  std::string url(const std::string& host = "127.0.0.1") const {
    return "https://" + host + ":" + std::to_string(port_) + "/lookup";
  }
  int handshakes() const { return locked(handshakes_); }
  int resumed() const { return locked(resumed_); }
  int requests() const { return locked(requests_); }
  std::vector<std::string> client_subjects() const {
    std::lock_guard lock(mutex_);
    return client_subjects_;
  }

 private:
  int locked(const int& counter) const {
    std::lock_guard lock(mutex_);
    return counter;
  }

  void accept_connections() {
    while (true) {
      tcp::socket socket(io_);
      beast::error_code ec;
      acceptor_.accept(socket, ec);
      if (stopping_) return;
      if (ec) continue;
      std::lock_guard lock(mutex_);
      open_.push_back(socket.native_handle());
      workers_.emplace_back([this, s = std::move(socket)]() mutable {
        if (setup_.plain) return serve_plain(std::move(s));
        serve(std::move(s));
      });
    }
  }

  void serve_plain(tcp::socket socket) {
    char buffer[1024];
    beast::error_code ec;
    socket.read_some(asio::buffer(buffer), ec);
    const std::string answer = "HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\nConnection: close\r\n\r\n";
    asio::write(socket, asio::buffer(answer), ec);
  }

  void serve(tcp::socket socket) {
    beast::ssl_stream<tcp::socket> stream(std::move(socket), context_);
    beast::error_code ec;
    stream.handshake(asio::ssl::stream_base::server, ec);
    if (ec) return;
    {
      std::lock_guard lock(mutex_);
      ++handshakes_;
      if (SSL_session_reused(stream.native_handle()) == 1) ++resumed_;
      if (X509* peer = SSL_get0_peer_certificate(stream.native_handle())) {
        char line[512];
        X509_NAME_oneline(X509_get_subject_name(peer), line, sizeof line);
        client_subjects_.emplace_back(line);
      }
    }
    beast::flat_buffer buffer;
    while (true) {
      http::request<http::string_body> request;
      http::read(stream, buffer, request, ec);
      if (ec) return;
      {
        std::lock_guard lock(mutex_);
        ++requests_;
      }
      http::response<http::string_body> response(http::status::ok, 11);
      response.set(http::field::content_type, "text/plain");
      response.keep_alive(true);
      response.body() = "ok";
      response.prepare_payload();
      http::write(stream, response, ec);
      if (ec) return;
    }
  }

  ServerSetup setup_;
  asio::io_context io_;
  asio::ssl::context context_{asio::ssl::context::tls_server};
  tcp::acceptor acceptor_{io_};
  unsigned short port_ = 0;
  std::atomic<bool> stopping_{false};
  std::thread accepting_;
  mutable std::mutex mutex_;
  std::vector<std::thread> workers_;
  std::vector<int> open_;
  int handshakes_ = 0;
  int resumed_ = 0;
  int requests_ = 0;
  std::vector<std::string> client_subjects_;
};

// The partner's side and ours: the partner's CA ("partner") issues its server certificate, the
// municipality's CA ("kommun") our organisation certificate, which carries its organisationsnummer.
struct Fixture {
  TestPki pki;
  Fixture() {
    pki.make_ca("partner");
    pki.make_ca("kommun");
    pki.make_ca("stranger");
  }
  TestPki::Issued server(CertificateSpec spec = {}, const std::string& ca = "partner") {
    if (spec.common_name.empty()) spec.common_name = "partner.example";
    if (spec.dns_names.empty() && spec.ip_addresses.empty()) {
      spec.dns_names = {"localhost"};
      spec.ip_addresses = {"127.0.0.1"};
    }
    return pki.issue(ca, "server-" + std::to_string(++issued), spec);
  }
  TestPki::Issued client(const std::string& password = "") {
    return pki.issue("kommun", "client-" + std::to_string(++issued),
                     {.common_name = "Exempelby kommun socialtjänst", .serial_number = "SE2120001234", .server = false},
                     password);
  }
  TlsSettings trusting_partner() const { return TlsSettings{.ca_file = pki.ca_file("partner")}; }
  TlsSettings mutual(const TestPki::Issued& ours) const {
    TlsSettings settings = trusting_partner();
    settings.identity.certificate = ours.certificate.string();
    settings.identity.key = ours.key.string();
    return settings;
  }
  int issued = 0;
};

// Runs the client on its own io_context and waits for each answer.
struct Caller {
  asio::io_context io;
  HttpClient http{io};
  std::optional<asio::executor_work_guard<asio::io_context::executor_type>> work{asio::make_work_guard(io)};
  std::thread runner{[this] { io.run(); }};

  ~Caller() {
    http.close_idle();
    work.reset();
    runner.join();
  }

  std::shared_ptr<TlsProfile> profile(const TlsSettings& settings) {
    auto profile = http.tls_profile("/test/tls", settings);
    REQUIRE(profile);
    return *profile;
  }

  HttpResult get(const std::string& url, std::shared_ptr<TlsProfile> tls) {
    HttpRequest request;
    request.method = "GET";
    request.url = *knutpunkt::net::parse_http_url(url);
    request.tls = std::move(tls);
    std::promise<HttpResult> answer;
    http.send(std::move(request), std::chrono::steady_clock::now() + 5s,
              [&](HttpResult result) { answer.set_value(std::move(result)); });
    return answer.get_future().get();
  }
};

void require_tls_failure(const HttpResult& result, const std::string& reason) {
  REQUIRE_FALSE(result);
  INFO(result.error().message);
  CHECK(result.error().kind == TransportErrorKind::tls_failed);
  CHECK_THAT(result.error().message, Catch::Contains(reason));
}

}  // namespace

TEST_CASE("an https URL is parsed with its scheme and port 443 by default", "[net][tls]") {
  const auto url = knutpunkt::net::parse_http_url("https://ssbtek.example/ssbtek/v10");
  REQUIRE(url);
  CHECK(url->scheme == "https");
  CHECK(url->tls());
  CHECK(url->port == "443");
  CHECK(url->target == "/ssbtek/v10");
  CHECK(knutpunkt::net::parse_http_url("http://af.example/x")->port == "80");
  CHECK_FALSE(knutpunkt::net::parse_http_url("ftp://af.example/x"));
}

TEST_CASE("mutual TLS presents the organisation certificate and the partner sees its subject", "[net][tls]") {
  Fixture f;
  const auto ours = f.client();
  const auto theirs = f.server();
  TlsServer server({.certificate = theirs.certificate, .key = theirs.key, .client_ca = f.pki.ca_file("kommun")});
  Caller caller;
  const auto result = caller.get(server.url(), caller.profile(f.mutual(ours)));
  REQUIRE(result);
  CHECK(result->status == 200);
  CHECK(result->body == "ok");
  REQUIRE(server.client_subjects().size() == 1);
  CHECK_THAT(server.client_subjects()[0], Catch::Contains("serialNumber=SE2120001234"));
}

TEST_CASE("an encrypted organisation key is loaded with its password", "[net][tls]") {
  Fixture f;
  const auto ours = f.client("hemligt lösenord");
  const auto theirs = f.server();
  TlsServer server({.certificate = theirs.certificate, .key = theirs.key, .client_ca = f.pki.ca_file("kommun")});
  TlsSettings settings = f.mutual(ours);
  settings.identity.key_password = "hemligt lösenord";
  Caller caller;
  const auto result = caller.get(server.url(), caller.profile(settings));
  REQUIRE(result);
  CHECK(server.client_subjects().size() == 1);

  TlsSettings wrong = f.mutual(ours);
  const auto profile = TlsProfile::load("/test/tls", wrong);
  REQUIRE_FALSE(profile);
  CHECK_THAT(profile.error(), Catch::Contains(ours.key.string()));
}

TEST_CASE("a partner certificate from a CA outside the configured bundle is refused as an unknown CA", "[net][tls]") {
  Fixture f;
  const auto theirs = f.server({}, "stranger");
  TlsServer server({.certificate = theirs.certificate, .key = theirs.key});
  Caller caller;
  require_tls_failure(caller.get(server.url(), caller.profile(f.trusting_partner())),
                      "unable to get local issuer certificate");
  CHECK(server.requests() == 0);
}

TEST_CASE("the system's public CAs are not trusted: only the configured bundle is", "[net][tls]") {
  Fixture f;
  const auto theirs = f.server();
  TlsServer server({.certificate = theirs.certificate, .key = theirs.key});
  Caller caller;
  // Our own CA bundle does not contain the partner's CA; nothing else may vouch for it.
  require_tls_failure(caller.get(server.url(), caller.profile({.ca_file = f.pki.ca_file("kommun")})),
                      "not issued by a CA in tls.ca_file");
}

TEST_CASE("an expired partner certificate is refused as expired", "[net][tls]") {
  Fixture f;
  const auto theirs = f.server({.not_before = -48h, .not_after = -1h});
  TlsServer server({.certificate = theirs.certificate, .key = theirs.key});
  Caller caller;
  require_tls_failure(caller.get(server.url(), caller.profile(f.trusting_partner())), "certificate has expired");
}

TEST_CASE("a partner certificate not yet valid is refused as not yet valid", "[net][tls]") {
  Fixture f;
  const auto theirs = f.server({.not_before = 1h, .not_after = 48h});
  TlsServer server({.certificate = theirs.certificate, .key = theirs.key});
  Caller caller;
  require_tls_failure(caller.get(server.url(), caller.profile(f.trusting_partner())), "certificate is not yet valid");
}

TEST_CASE("a partner certificate for another host name is refused as a host name mismatch", "[net][tls]") {
  Fixture f;
  const auto theirs = f.server({.dns_names = {"ssbtek.example"}});
  TlsServer server({.certificate = theirs.certificate, .key = theirs.key});
  Caller caller;
  require_tls_failure(caller.get(server.url("localhost"), caller.profile(f.trusting_partner())),
                      "not issued for localhost");

  SECTION("unless server_name names the host its certificate is for") {
    TlsSettings settings = f.trusting_partner();
    settings.server_name = "ssbtek.example";
    const auto result = caller.get(server.url("localhost"), caller.profile(settings));
    REQUIRE(result);
    CHECK(result->status == 200);
  }
}

TEST_CASE("a partner that requires a client certificate we do not have says so", "[net][tls]") {
  Fixture f;
  const auto theirs = f.server();
  TlsServer server({.certificate = theirs.certificate, .key = theirs.key, .client_ca = f.pki.ca_file("kommun")});
  Caller caller;
  require_tls_failure(caller.get(server.url(), caller.profile(f.trusting_partner())),
                      "requires a client certificate and none is configured");
  CHECK(server.requests() == 0);
}

TEST_CASE("a partner that refuses our client certificate says so", "[net][tls]") {
  Fixture f;
  const auto theirs = f.server();
  // The partner trusts another CA than the one that issued ours.
  TlsServer server({.certificate = theirs.certificate, .key = theirs.key, .client_ca = f.pki.ca_file("stranger")});
  Caller caller;
  require_tls_failure(caller.get(server.url(), caller.profile(f.mutual(f.client()))), "refused our client certificate");
  CHECK(server.requests() == 0);
}

TEST_CASE("plain HTTP answering the TLS port is a TLS failure, never a plain-text exchange", "[net][tls]") {
  Fixture f;
  TlsServer server({.plain = true});
  Caller caller;
  require_tls_failure(caller.get(server.url(), caller.profile(f.trusting_partner())), "wrong version number");
}

TEST_CASE("an https URL without a TLS profile is not called at all", "[net][tls]") {
  Fixture f;
  const auto theirs = f.server();
  TlsServer server({.certificate = theirs.certificate, .key = theirs.key});
  Caller caller;
  require_tls_failure(caller.get(server.url(), nullptr), "no TLS profile is configured");
  CHECK(server.handshakes() == 0);
}

TEST_CASE("a kept-alive TLS connection serves the next request without a new handshake", "[net][tls]") {
  Fixture f;
  const auto theirs = f.server();
  TlsServer server({.certificate = theirs.certificate, .key = theirs.key, .client_ca = f.pki.ca_file("kommun")});
  Caller caller;
  const auto profile = caller.profile(f.mutual(f.client()));
  REQUIRE(caller.get(server.url(), profile));
  REQUIRE(caller.get(server.url(), profile));
  CHECK(server.requests() == 2);
  CHECK(server.handshakes() == 1);
}

TEST_CASE("a fresh TLS connection resumes the destination's last session", "[net][tls]") {
  Fixture f;
  const auto theirs = f.server();
  TlsServer server({.certificate = theirs.certificate, .key = theirs.key, .client_ca = f.pki.ca_file("kommun")});
  Caller caller;
  const auto profile = caller.profile(f.mutual(f.client()));
  REQUIRE(caller.get(server.url(), profile));
  caller.http.close_idle();
  REQUIRE(caller.get(server.url(), profile));
  CHECK(server.handshakes() == 2);
  CHECK(server.resumed() == 1);
}

TEST_CASE("a partner that fails a resumed session gets a full handshake on the next connection", "[net][tls]") {
  Fixture f;
  const auto theirs = f.server();
  TlsServer server({.certificate = theirs.certificate,
                    .key = theirs.key,
                    .client_ca = f.pki.ca_file("kommun"),
                    .plain = false,
                    .resumable = false});
  Caller caller;
  const auto profile = caller.profile(f.mutual(f.client()));
  REQUIRE(caller.get(server.url(), profile));
  caller.http.close_idle();
  auto refused = caller.get(server.url(), profile);  // the kept session offered, and refused
  REQUIRE_FALSE(refused);
  CHECK(refused.error().kind == TransportErrorKind::tls_failed);
  CHECK(caller.get(server.url(), profile));
  CHECK(server.requests() == 2);
}

TEST_CASE("connections made with two TLS profiles are never shared", "[net][tls]") {
  Fixture f;
  const auto theirs = f.server();
  TlsServer server({.certificate = theirs.certificate, .key = theirs.key, .client_ca = f.pki.ca_file("kommun")});
  Caller caller;
  const auto first = caller.profile(f.mutual(f.client()));
  const auto second = caller.profile(f.mutual(f.client()));
  REQUIRE(first != second);
  REQUIRE(caller.get(server.url(), first));
  REQUIRE(caller.get(server.url(), second));
  CHECK(server.handshakes() == 2);
  const auto subjects = server.client_subjects();
  REQUIRE(subjects.size() == 2);
}

TEST_CASE("reload() puts renewed certificates into new connections and reports their notAfter", "[net][tls]") {
  Fixture f;
  const auto theirs = f.server();
  TlsServer server({.certificate = theirs.certificate, .key = theirs.key, .client_ca = f.pki.ca_file("kommun")});
  const auto ours = f.client();
  Caller caller;
  const auto profile = caller.profile(f.mutual(ours));
  const auto before = profile->certificates();
  REQUIRE(before.size() == 2);  // ours and the partner's CA
  CHECK(before[0].role == "client");
  CHECK_THAT(before[0].subject, Catch::Contains("SE2120001234"));
  const auto now = std::chrono::system_clock::now();
  CHECK(before[0].not_after > now + 23h);
  CHECK(before[0].not_after < now + 25h);
  REQUIRE(caller.get(server.url(), profile));

  // The renewed certificate is written over the old files, as an operator renews in place.
  const auto renewed = f.pki.issue("kommun", "renewed",
                                   {.common_name = "Exempelby kommun socialtjänst",
                                    .serial_number = "SE2120001234",
                                    .not_after = 24h * 90,
                                    .server = false});
  std::filesystem::copy_file(renewed.certificate, ours.certificate, std::filesystem::copy_options::overwrite_existing);
  std::filesystem::copy_file(renewed.key, ours.key, std::filesystem::copy_options::overwrite_existing);
  CHECK(caller.http.reload_tls().empty());
  const auto after = caller.http.tls_certificates();
  REQUIRE_FALSE(after.empty());
  CHECK(after[0].first == "/test/tls");
  CHECK(after[0].second.not_after > now + 24h * 89);

  // The kept-alive connection finishes on the old context; a fresh one uses the renewed files and
  // does not resume a session made with the old certificate.
  REQUIRE(caller.get(server.url(), profile));
  CHECK(server.handshakes() == 1);
  caller.http.close_idle();
  REQUIRE(caller.get(server.url(), profile));
  CHECK(server.handshakes() == 2);
  CHECK(server.resumed() == 0);
}

TEST_CASE("a reload through the process's context registry reaches new connections, which resume no older session",
          "[net][tls]") {
  Fixture f;
  const auto theirs = f.server();
  TlsServer server({.certificate = theirs.certificate, .key = theirs.key, .client_ca = f.pki.ca_file("kommun")});
  Caller caller;
  const auto profile = caller.profile(f.mutual(f.client()));
  knutpunkt::tls::ContextRegistry registry;
  registry.add(profile->reloadable());
  REQUIRE(registry.expiries().size() == 1);
  CHECK(registry.expiries()[0].name == "/test/tls");

  const auto before = profile->context();
  REQUIRE(caller.get(server.url(), profile));
  caller.http.close_idle();
  CHECK(registry.reload_all().empty());
  CHECK(profile->context() != before);
  REQUIRE(caller.get(server.url(), profile));
  CHECK(server.handshakes() == 2);
  CHECK(server.resumed() == 0);
}
