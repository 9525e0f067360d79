// Bytes from a client's connection, read the way a server session reads them: Beast's request
// parser with the server's limits, request after request while the connection is kept alive
// (pipelining), the header's framing checked before the body is read (a refused Transfer-Encoding
// or Content-Length answered from the header), a body over the limit refused after its header.
// Each request then meets what the gateway applies to it before and at the router: the target's
// path and query string, the bearer token against the configured clients, the gateway's route
// table (404 / 405 and path parameters), the Idempotency-Key and the request's fingerprint, the
// JSON object body, and for /console/ the static file lookup (which must not leave its folder).
// The target and the query's names and values, escaped the way audit records hold them, must be
// UTF-8 and read back as sent.
#include <boost/asio/buffer.hpp>
#include <boost/beast/http.hpp>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include "audit/canonical_json.h"
#include "core/digest.h"
#include "fuzz_support.h"
#include "http/client_auth.h"
#include "http/console_endpoint.h"
#include "http/idempotency.h"
#include "http/message_framing.h"
#include "http/request_fields.h"
#include "http/router.h"
#include "http/server.h"

namespace {

using namespace knutpunkt;
using namespace knutpunkt::http;
namespace bhttp = boost::beast::http;

const ClientAuth& auth() {
  static const ClientAuth loaded = [] {
    ClientConfig client;
    client.id = "case-system";
    client.token_sha256 = sha256_hex("fuzz-token");
    client.operations = {"lookup:*", "referral"};
    return ClientAuth({client});
  }();
  return loaded;
}

// The target and the query's names and values go into audit records escaped where they are not
// UTF-8 (audit/canonical_json.h): the escaped text must be UTF-8 and read back as the bytes sent.
void require_escapes_back(std::string_view bytes) {
  const std::string text = escape_utf8(bytes);
  fuzz::require_utf8(nlohmann::json(text));
  if (unescape_utf8(text) != std::string(bytes)) {
    std::fprintf(stderr, "escaped text does not read back as the bytes it was made from\n");
    std::abort();
  }
}

void handle(const Request& request) {
  const std::string_view target = to_std(request.target());
  const std::string_view path = target.substr(0, target.find('?'));
  require_escapes_back(target);
  if (auto params = query_parameters(target)) {
    for (const auto& [key, value] : *params) {
      require_escapes_back(key);
      require_escapes_back(value);
    }
  }
  (void)auth().authenticate(to_std(request[bhttp::field::authorization]));
  static const RouteTable routes = gateway_routes(nullptr);
  const auto found = routes.match(request.method(), target);
  // An API route's parameters go into audit records, which must stay valid UTF-8.
  if (const auto* match = std::get_if<RouteTable::Match>(&found); match && match->route->audience == RouteAudience::api) {
    for (const auto& [name, value] : match->params.all()) fuzz::require_utf8(nlohmann::json(value));
  }
  const std::string key(to_std(request["Idempotency-Key"]));
  if (valid_idempotency_key(key)) (void)request_fingerprint(to_std(request.method_string()), path, request.body());
  (void)read_json_object(request, [](Problem problem) { fuzz::require_utf8(to_json(problem)); });

  constexpr std::string_view kConsole = "/console/";
  if (path.starts_with(kConsole)) {
    static const ConsoleEndpoint console(fuzz::repo_path("gateway/console/static"));
    Request copy = request;
    console.serve(std::string(path.substr(kConsole.size())), std::move(copy), [](Response) {});
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view rest(reinterpret_cast<const char*>(data), size);
  const ServerOptions options;
  // Requests on one connection until it closes; a bound keeps a run short.
  for (int requests = 0; requests < 16 && !rest.empty(); ++requests) {
    bhttp::request_parser<bhttp::string_body> parser;
    parser.body_limit(options.max_body_bytes);
    // The header alone first, as the server reads it: its framing is judged before the body.
    parser.eager(false);
    bool framing_checked = false;
    boost::beast::error_code ec;
    while (!parser.is_done()) {
      if (rest.empty()) {
        parser.put_eof(ec);
        break;
      }
      const std::size_t used = parser.put(boost::asio::buffer(rest.data(), rest.size()), ec);
      rest.remove_prefix(used);
      if (ec == bhttp::error::need_more) {
        // Every byte there is was offered (eager parsing takes all it can), so more would have to
        // come from the client, and none will: the connection ends here. Offering the same bytes
        // again is not allowed (Beast asserts a final chunk header grows between calls).
        parser.put_eof(ec);
        break;
      }
      if (ec) break;
      if (parser.is_header_done() && !framing_checked) {
        framing_checked = true;
        if (auto framing = check_framing(parser.get()); !framing) {
          // Refused from the header, and the connection closed.
          fuzz::require_utf8(to_json(framing.error()));
          handle(parser.release());
          return 0;
        }
        parser.eager(true);
      }
    }
    if (ec == bhttp::error::bad_transfer_encoding || ec == bhttp::error::bad_content_length) {
      // The parser's own framing faults are refused from what of the header was read.
      Request header_so_far = parser.release();
      header_so_far.body().clear();
      handle(header_so_far);
      return 0;
    }
    if (ec == bhttp::error::body_limit && parser.is_header_done()) {
      // The server answers from the header alone (413) and closes the connection.
      Request header_only = parser.release();
      header_only.body().clear();
      handle(header_only);
      return 0;
    }
    if (ec || !parser.is_done()) return 0;
    Request request = parser.release();
    const bool keep_alive = request.keep_alive();
    handle(request);
    if (!keep_alive) return 0;
  }
  return 0;
}
