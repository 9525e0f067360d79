#pragma once
// What an endpoint speaks: a parsed request in, one response out through a Reply. Only Beast's
// message types, so the endpoints compile without the server's reading, writing and sockets
// (http/server.h).
#include <boost/beast/core/string.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>

#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "http/response_body.h"
#include "tls/certificate_info.h"

namespace knutpunkt::http {

using Request = boost::beast::http::request<boost::beast::http::string_body>;
// Text, or a file streamed in chunks (http/response_body.h).
using Response = boost::beast::http::response<ResponseBody>;

// Boost 1.74's Beast has its own string_view; the rest of the code speaks std::string_view.
inline std::string_view to_std(boost::beast::string_view view) { return {view.data(), view.size()}; }

struct RequestContext {
  std::string remote_address;  // peer IP, for the audit record of a refused request
  // The certificate the client presented in the TLS handshake, verified against the client CA
  // bundle; null over plain HTTP or when the client sent none.
  std::shared_ptr<const tls::PeerCertificate> client_certificate;
};

using Reply = std::function<void(Response)>;
// Called for every complete request. Must call `reply` exactly once, from any thread.
using RequestHandler = std::function<void(Request&&, const RequestContext&, Reply)>;

}  // namespace knutpunkt::http
