#include "tls/openssl_error.h"

#include <openssl/err.h>

#include <boost/asio/ssl/error.hpp>

namespace knutpunkt::tls {

std::string openssl_reason(const boost::system::error_code& ec) {
  if (ec.category() == boost::asio::error::get_ssl_category()) {
    const char* reason = ERR_reason_error_string(static_cast<unsigned long>(ec.value()));
    if (reason != nullptr) return reason;
  }
  return ec.message();
}

}  // namespace knutpunkt::tls
