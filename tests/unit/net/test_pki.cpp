#include "test_pki.h"

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <stdexcept>

namespace knutpunkt::test {

namespace {

using Key = std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)>;
using Certificate = std::unique_ptr<X509, decltype(&X509_free)>;

void check(bool ok, const char* what) {
  if (!ok) throw std::runtime_error(std::string("test PKI: ") + what);
}

Key new_key() {
  Key key(EVP_EC_gen("P-256"), EVP_PKEY_free);
  check(key != nullptr, "EC key");
  return key;
}

void add_extension(X509* certificate, X509* issuer, int nid, const std::string& value) {
  X509V3_CTX ctx;
  X509V3_set_ctx_nodb(&ctx);
  X509V3_set_ctx(&ctx, issuer, certificate, nullptr, nullptr, 0);
  X509_EXTENSION* extension = X509V3_EXT_conf_nid(nullptr, &ctx, nid, value.c_str());
  check(extension != nullptr, "extension");
  X509_add_ext(certificate, extension, -1);
  X509_EXTENSION_free(extension);
}

Certificate new_certificate(const CertificateSpec& spec, EVP_PKEY* key, long serial) {
  Certificate certificate(X509_new(), X509_free);
  X509_set_version(certificate.get(), 2);
  ASN1_INTEGER_set(X509_get_serialNumber(certificate.get()), serial);
  X509_gmtime_adj(X509_getm_notBefore(certificate.get()), static_cast<long>(spec.not_before.count()));
  X509_gmtime_adj(X509_getm_notAfter(certificate.get()), static_cast<long>(spec.not_after.count()));
  X509_set_pubkey(certificate.get(), key);
  X509_NAME* name = X509_get_subject_name(certificate.get());
  const auto text = [](const std::string& s) { return reinterpret_cast<const unsigned char*>(s.c_str()); };
  X509_NAME_add_entry_by_txt(name, "C", MBSTRING_ASC, text("SE"), -1, -1, 0);
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8, text(spec.common_name), -1, -1, 0);
  if (!spec.serial_number.empty()) {
    X509_NAME_add_entry_by_txt(name, "serialNumber", MBSTRING_ASC, text(spec.serial_number), -1, -1, 0);
  }
  return certificate;
}

void write_pem(const std::filesystem::path& file, X509* certificate) {
  FILE* out = std::fopen(file.c_str(), "w");
  check(out != nullptr, "open certificate file");
  PEM_write_X509(out, certificate);
  std::fclose(out);
}

void write_key(const std::filesystem::path& file, EVP_PKEY* key, const std::string& password) {
  FILE* out = std::fopen(file.c_str(), "w");
  check(out != nullptr, "open key file");
  ::chmod(file.c_str(), 0600);
  const EVP_CIPHER* cipher = password.empty() ? nullptr : EVP_aes_256_cbc();
  auto* pass = password.empty() ? nullptr : reinterpret_cast<unsigned char*>(const_cast<char*>(password.c_str()));
  PEM_write_PrivateKey(out, key, cipher, pass, static_cast<int>(password.size()), nullptr, nullptr);
  std::fclose(out);
}

}  // namespace

struct TestPki::Authority {
  std::string name;
  Key key{nullptr, EVP_PKEY_free};
  Certificate certificate{nullptr, X509_free};
  long next_serial = 2;
};

TestPki::TestPki() {
  std::string pattern = (std::filesystem::temp_directory_path() / "knutpunkt-pki-XXXXXX").string();
  check(::mkdtemp(pattern.data()) != nullptr, "temporary folder");
  dir_ = pattern;
}

TestPki::~TestPki() {
  std::error_code ignored;
  std::filesystem::remove_all(dir_, ignored);
}

void TestPki::make_ca(const std::string& name) {
  auto authority = std::make_unique<Authority>();
  authority->name = name;
  authority->key = new_key();
  CertificateSpec spec{.common_name = name + " test CA", .not_after = std::chrono::hours(24 * 365)};
  authority->certificate = new_certificate(spec, authority->key.get(), 1);
  X509* ca = authority->certificate.get();
  X509_set_issuer_name(ca, X509_get_subject_name(ca));
  add_extension(ca, ca, NID_basic_constraints, "critical,CA:TRUE");
  add_extension(ca, ca, NID_key_usage, "critical,keyCertSign,cRLSign");
  add_extension(ca, ca, NID_subject_key_identifier, "hash");
  check(X509_sign(ca, authority->key.get(), EVP_sha256()) > 0, "sign CA");
  write_pem(ca_file(name), ca);
  authorities_.push_back(std::move(authority));
}

TestPki::Issued TestPki::issue(const std::string& ca, const std::string& file, const CertificateSpec& spec,
                               const std::string& password) {
  Authority* authority = nullptr;
  for (auto& a : authorities_) {
    if (a->name == ca) authority = a.get();
  }
  check(authority != nullptr, "unknown CA");
  Key key = new_key();
  Certificate certificate = new_certificate(spec, key.get(), authority->next_serial++);
  X509_set_issuer_name(certificate.get(), X509_get_subject_name(authority->certificate.get()));
  add_extension(certificate.get(), authority->certificate.get(), NID_basic_constraints, "critical,CA:FALSE");
  add_extension(certificate.get(), authority->certificate.get(), NID_authority_key_identifier, "keyid");
  add_extension(certificate.get(), authority->certificate.get(), NID_ext_key_usage, "serverAuth,clientAuth");
  std::string names;
  for (const auto& dns : spec.dns_names) names += (names.empty() ? "" : ",") + std::string("DNS:") + dns;
  for (const auto& ip : spec.ip_addresses) names += (names.empty() ? "" : ",") + std::string("IP:") + ip;
  if (!names.empty()) add_extension(certificate.get(), authority->certificate.get(), NID_subject_alt_name, names);
  check(X509_sign(certificate.get(), authority->key.get(), EVP_sha256()) > 0, "sign certificate");
  Issued out{dir_ / (file + ".pem"), dir_ / (file + ".key")};
  write_pem(out.certificate, certificate.get());
  write_key(out.key, key.get(), password);
  return out;
}

}  // namespace knutpunkt::test
