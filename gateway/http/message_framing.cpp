#include "http/message_framing.h"

#include <boost/beast/core/string.hpp>
#include <string_view>

namespace knutpunkt::http {

namespace bhttp = boost::beast::http;

namespace {

constexpr const char* kTransferEncoding = "Transfer-Encoding";

std::string_view trim_whitespace(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) text.remove_suffix(1);
  return text;
}

// The codings of every Transfer-Encoding line, in order, as the list they form together
// (RFC 9110 §5.3); empty list elements are allowed and skipped (RFC 9110 §5.6.1).
struct Codings {
  int count = 0;
  int chunked = 0;
  bool last_is_chunked = false;
};

Codings codings_of(const Request::header_type& header) {
  Codings codings;
  const auto [first, last] = header.equal_range(bhttp::field::transfer_encoding);
  for (auto field = first; field != last; ++field) {
    std::string_view rest = to_std(field->value());
    while (!rest.empty()) {
      const auto comma = rest.find(',');
      const std::string_view element = trim_whitespace(rest.substr(0, comma));
      rest = comma == std::string_view::npos ? std::string_view{} : rest.substr(comma + 1);
      if (element.empty()) continue;
      ++codings.count;
      codings.last_is_chunked =
          boost::beast::iequals(boost::beast::string_view(element.data(), element.size()), "chunked");
      if (codings.last_is_chunked) ++codings.chunked;
    }
  }
  return codings;
}

}  // namespace

Problem invalid_framing(std::string field, std::string reason) {
  return {400,
          "invalid_framing",
          "Request framing not accepted",
          "the request's length cannot be determined from its header",
          {{std::move(field), "invalid_framing", std::move(reason)}},
          {}};
}

std::expected<void, Problem> check_framing(const Request::header_type& header) {
  if (header.find(bhttp::field::transfer_encoding) == header.end()) return {};
  // RFC 9112 §6.1: an HTTP/1.0 message with Transfer-Encoding has faulty framing.
  if (header.version() < 11) {
    return std::unexpected(invalid_framing(kTransferEncoding, "HTTP/1.0 has no transfer codings"));
  }
  // RFC 9112 §6.1: Content-Length beside Transfer-Encoding is where request smuggling starts.
  if (header.find(bhttp::field::content_length) != header.end()) {
    return std::unexpected(invalid_framing(kTransferEncoding, "must not be sent together with Content-Length"));
  }
  const Codings codings = codings_of(header);
  if (codings.count == 1 && codings.chunked == 1) return {};
  // RFC 9112 §6.3: without chunked last (and once only) the body's length cannot be determined.
  if (!codings.last_is_chunked || codings.chunked > 1) {
    return std::unexpected(invalid_framing(kTransferEncoding, "chunked must be the last transfer coding, once"));
  }
  // RFC 9112 §6.1: a coding the server does not decode is 501.
  return std::unexpected(Problem{501,
                                 "transfer_encoding_not_supported",
                                 "Transfer coding not supported",
                                 "only the chunked transfer coding is accepted",
                                 {{kTransferEncoding, "not_supported", "only chunked is accepted"}},
                                 {}});
}

}  // namespace knutpunkt::http
