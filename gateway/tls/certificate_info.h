#pragma once
// What the gateway reads from certificates: when a chain stops being valid, and who a peer's
// certificate names. Both come from OpenSSL's parsed X509, never from text matching.
#include <openssl/types.h>

#include <chrono>
#include <expected>
#include <string>

namespace knutpunkt::tls {

// The earliest notAfter in a PEM chain file: the chain stops working when its first member expires.
std::expected<std::chrono::system_clock::time_point, std::string> chain_not_after(const std::string& pem_file);

// A peer's certificate as client authentication binds it.
struct PeerCertificate {
  std::string sha256;   // of the DER encoding, lowercase hex: a pin names exactly one certificate
  std::string subject;  // RFC 2253 distinguished names, for the audit record
  std::string issuer;
  // The subject's serialNumber attribute (2.5.4.5). In Swedish organisation (function) certificates
  // it carries the organisationsnummer; it is not the certificate's own serial number.
  std::string subject_serial_number;
};

PeerCertificate describe(X509* certificate);

}  // namespace knutpunkt::tls
