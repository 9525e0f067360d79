#pragma once
// TLS as the real partners speak it: SSBTEK, Försäkringskassan and Arbetsförmedlingen answer only
// over HTTPS and only a caller whose organisation certificate their CA signed; the gateway they
// call back is reached over HTTPS too. Without certificates a simulator stays on plain HTTP.
#include <httplib.h>

#include <expected>
#include <memory>
#include <string>

namespace knutpunkt::simulator_kit {

// How a simulator serves (--tls-cert PATH --tls-key PATH [--client-ca PATH]).
struct ServerTls {
  std::string certificate;  // PEM, the leaf first then any intermediates; empty: plain HTTP
  std::string key;          // PEM, unencrypted
  std::string client_ca;    // PEM; set: a client without a certificate this CA signed is refused
  bool enabled() const { return !certificate.empty(); }
};

// How a simulator calls the gateway back over https (--gateway-ca PATH, --gateway-cert PATH
// --gateway-key PATH).
struct ClientTls {
  std::string ca;           // PEM; the only CA trusted for the gateway's certificate
  std::string certificate;  // PEM; empty: no client certificate
  std::string key;
};

// An HTTP server, or with `tls` enabled an HTTPS-only one (TLS 1.2 and later) that, with a client
// CA, ends every handshake that brings no certificate signed by it. The error says which file
// could not be used and why.
std::expected<std::unique_ptr<httplib::Server>, std::string> make_server(const ServerTls& tls);

// A client for `url` (scheme://host:port): for https, TLS 1.2 and later, the server's certificate
// verified against `tls.ca` alone (host name included), and `tls`'s client certificate offered.
httplib::Client make_client(const std::string& url, const ClientTls& tls);

// Why `tls` cannot go with `url` (an https URL without --gateway-ca, TLS files for an http URL, a
// certificate without its key), or empty when it can.
std::string client_tls_problem(const std::string& url, const ClientTls& tls);

// Throws std::invalid_argument unless `path` names a file this process can read: a flag's value is
// checked when it is read, so a typo stops the simulator before it binds.
void require_readable_file(const std::string& path);

}  // namespace knutpunkt::simulator_kit
