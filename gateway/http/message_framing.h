#pragma once
// Where a request's body ends (RFC 9112 §6). The gateway takes a body delimited by Content-Length
// or by the chunked transfer coding alone. Any other Transfer-Encoding, chunked not last or given
// twice, Transfer-Encoding beside Content-Length, or Transfer-Encoding on HTTP/1.0 leaves the end
// of the body to guesswork: a proxy in front may judge it otherwise and smuggle a second request
// inside the first. Such a request is refused from its header, and its connection closed.
#include <expected>
#include <string>

#include "http/message.h"
#include "http/problem.h"

namespace knutpunkt::http {

// Checks a complete header before any of its body is read: 400 invalid_framing when the body's
// length cannot be known (RFC 9112 §6.3), 501 transfer_encoding_not_supported for a coding before
// chunked that the gateway does not decode (RFC 9112 §6.1).
std::expected<void, Problem> check_framing(const Request::header_type& header);

// The refusal of a header the parser itself rejected for its framing (an unreadable or repeated
// Content-Length, or one beside Transfer-Encoding); `field` names the header at fault.
Problem invalid_framing(std::string field, std::string reason);

}  // namespace knutpunkt::http
