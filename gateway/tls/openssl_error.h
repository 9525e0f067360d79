#pragma once
// OpenSSL's reasons in words an operator can act on. The text names what failed (a verify result,
// a protocol alert); it never holds payload.
#include <boost/system/error_code.hpp>
#include <string>

namespace knutpunkt::tls {

// The reason behind an error from an asio SSL operation: OpenSSL's reason string for SSL errors,
// the system's message otherwise.
std::string openssl_reason(const boost::system::error_code& ec);

}  // namespace knutpunkt::tls
