#include "tls/certificate_info.h"

#include <openssl/asn1.h>
#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include <memory>
#include <optional>
#include <span>

#include "core/hex.h"

namespace knutpunkt::tls {

namespace {

struct BioFree {
  void operator()(BIO* bio) const { BIO_free(bio); }
};
struct X509Free {
  void operator()(X509* x) const { X509_free(x); }
};

std::optional<std::chrono::system_clock::time_point> to_time_point(const ASN1_TIME* time) {
  std::tm parsed{};
  if (ASN1_TIME_to_tm(time, &parsed) != 1) return std::nullopt;
  return std::chrono::system_clock::from_time_t(timegm(&parsed));
}

std::string distinguished_name(X509_NAME* name) {
  std::unique_ptr<BIO, BioFree> out(BIO_new(BIO_s_mem()));
  if (!out || X509_NAME_print_ex(out.get(), name, 0, XN_FLAG_RFC2253) < 0) return {};
  char* data = nullptr;
  const long size = BIO_get_mem_data(out.get(), &data);
  return size > 0 ? std::string(data, static_cast<std::size_t>(size)) : std::string();
}

std::string subject_serial_number(X509_NAME* name) {
  const int index = X509_NAME_get_index_by_NID(name, NID_serialNumber, -1);
  if (index < 0) return {};
  ASN1_STRING* value = X509_NAME_ENTRY_get_data(X509_NAME_get_entry(name, index));
  unsigned char* utf8 = nullptr;
  const int size = ASN1_STRING_to_UTF8(&utf8, value);
  if (size < 0) return {};
  std::string out(reinterpret_cast<const char*>(utf8), static_cast<std::size_t>(size));
  OPENSSL_free(utf8);
  return out;
}

}  // namespace

std::expected<std::chrono::system_clock::time_point, std::string> chain_not_after(const std::string& pem_file) {
  std::unique_ptr<BIO, BioFree> in(BIO_new_file(pem_file.c_str(), "r"));
  if (!in) return std::unexpected(pem_file + ": cannot be read");
  std::optional<std::chrono::system_clock::time_point> earliest;
  while (std::unique_ptr<X509, X509Free> certificate{PEM_read_bio_X509(in.get(), nullptr, nullptr, nullptr)}) {
    auto not_after = to_time_point(X509_get0_notAfter(certificate.get()));
    if (!not_after) return std::unexpected(pem_file + ": a certificate's notAfter cannot be read");
    if (!earliest || *not_after < *earliest) earliest = not_after;
  }
  ERR_clear_error();  // the end of the file is reported as an error on OpenSSL's queue
  if (!earliest) return std::unexpected(pem_file + ": holds no PEM certificate");
  return *earliest;
}

PeerCertificate describe(X509* certificate) {
  PeerCertificate out;
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int size = 0;
  if (X509_digest(certificate, EVP_sha256(), digest, &size) == 1) {
    out.sha256 = hex_encode(std::span<const unsigned char>(digest, size));
  }
  out.subject = distinguished_name(X509_get_subject_name(certificate));
  out.issuer = distinguished_name(X509_get_issuer_name(certificate));
  out.subject_serial_number = subject_serial_number(X509_get_subject_name(certificate));
  return out;
}

}  // namespace knutpunkt::tls
