#include "test_pki.h"

#include <openssl/bio.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <sys/stat.h>

#include <atomic>
#include <fstream>
#include <stdexcept>

namespace knutpunkt::test_pki {

namespace {

struct KeyFree {
  void operator()(EVP_PKEY* key) const { EVP_PKEY_free(key); }
};
struct X509Free {
  void operator()(X509* x) const { X509_free(x); }
};
struct BioFree {
  void operator()(BIO* bio) const { BIO_free(bio); }
};
using Key = std::unique_ptr<EVP_PKEY, KeyFree>;
using Certificate = std::unique_ptr<X509, X509Free>;
using Bio = std::unique_ptr<BIO, BioFree>;

void check(bool ok, const char* what) {
  if (!ok) throw std::runtime_error(std::string("test PKI: ") + what);
}

Key new_key() {
  Key key(EVP_EC_gen("P-256"));
  check(key != nullptr, "EC key generation");
  return key;
}

std::string bio_text(BIO* bio) {
  char* data = nullptr;
  const long size = BIO_get_mem_data(bio, &data);
  return std::string(data, static_cast<std::size_t>(size));
}

std::string certificate_pem(X509* certificate) {
  Bio out(BIO_new(BIO_s_mem()));
  check(PEM_write_bio_X509(out.get(), certificate) == 1, "PEM certificate");
  return bio_text(out.get());
}

std::string key_pem(EVP_PKEY* key) {
  Bio out(BIO_new(BIO_s_mem()));
  check(PEM_write_bio_PrivateKey(out.get(), key, nullptr, nullptr, 0, nullptr, nullptr) == 1, "PEM key");
  return bio_text(out.get());
}

void add_name(X509_NAME* name, const char* field, const std::string& value) {
  if (value.empty()) return;
  check(X509_NAME_add_entry_by_txt(name, field, MBSTRING_UTF8, reinterpret_cast<const unsigned char*>(value.c_str()),
                                   -1, -1, 0) == 1,
        "subject field");
}

void add_extension(X509* certificate, X509* issuer, int nid, const std::string& value) {
  X509V3_CTX context;
  X509V3_set_ctx_nodb(&context);
  X509V3_set_ctx(&context, issuer, certificate, nullptr, nullptr, 0);
  X509_EXTENSION* extension = X509V3_EXT_conf_nid(nullptr, &context, nid, value.c_str());
  check(extension != nullptr, "extension");
  X509_add_ext(certificate, extension, -1);
  X509_EXTENSION_free(extension);
}

long serial() {
  static std::atomic<long> next{1000};
  return next++;
}

Certificate make_certificate(EVP_PKEY* subject_key, const Request& request, X509* issuer, EVP_PKEY* issuer_key,
                             bool authority) {
  Certificate certificate(X509_new());
  check(certificate != nullptr, "X509_new");
  X509_set_version(certificate.get(), 2);
  ASN1_INTEGER_set(X509_get_serialNumber(certificate.get()), serial());
  X509_gmtime_adj(X509_getm_notBefore(certificate.get()), static_cast<long>(request.validity.from.count()));
  X509_gmtime_adj(X509_getm_notAfter(certificate.get()), static_cast<long>(request.validity.until.count()));
  X509_NAME* name = X509_get_subject_name(certificate.get());
  add_name(name, "C", "SE");
  add_name(name, "O", request.organisation);
  add_name(name, "serialNumber", request.serial_number);
  add_name(name, "CN", request.common_name);
  X509* signer = issuer != nullptr ? issuer : certificate.get();
  X509_set_issuer_name(certificate.get(), X509_get_subject_name(signer));
  X509_set_pubkey(certificate.get(), subject_key);
  if (authority) {
    add_extension(certificate.get(), signer, NID_basic_constraints, "critical,CA:TRUE");
    add_extension(certificate.get(), signer, NID_key_usage, "critical,keyCertSign,cRLSign");
  } else {
    add_extension(certificate.get(), signer, NID_basic_constraints, "critical,CA:FALSE");
    add_extension(certificate.get(), signer, NID_key_usage, "critical,digitalSignature");
    add_extension(certificate.get(), signer, NID_ext_key_usage, request.server ? "serverAuth" : "clientAuth");
    std::string names;
    for (const auto& dns : request.dns_names) names += (names.empty() ? "" : ",") + ("DNS:" + dns);
    for (const auto& ip : request.ip_addresses) names += (names.empty() ? "" : ",") + ("IP:" + ip);
    if (!names.empty()) add_extension(certificate.get(), signer, NID_subject_alt_name, names);
  }
  add_extension(certificate.get(), signer, NID_subject_key_identifier, "hash");
  check(X509_sign(certificate.get(), issuer_key, EVP_sha256()) > 0, "signing");
  return certificate;
}

}  // namespace

struct Authority::State {
  Key key;
  Certificate certificate;
  std::string pem;
};

Authority::Authority(const std::string& name, Validity validity) : state_(std::make_unique<State>()) {
  state_->key = new_key();
  Request request;
  request.common_name = name;
  request.organisation = "knutpunkt test";
  request.validity = validity;
  state_->certificate = make_certificate(state_->key.get(), request, nullptr, state_->key.get(), true);
  state_->pem = test_pki::certificate_pem(state_->certificate.get());
}

Authority::~Authority() = default;
Authority::Authority(Authority&&) noexcept = default;
Authority& Authority::operator=(Authority&&) noexcept = default;

KeyPair Authority::issue(const Request& request) const {
  Key key = new_key();
  Certificate certificate = make_certificate(key.get(), request, state_->certificate.get(), state_->key.get(), false);
  return {test_pki::certificate_pem(certificate.get()), key_pem(key.get())};
}

const std::string& Authority::certificate_pem() const {
  return state_->pem;
}

std::filesystem::path write_public(const std::filesystem::path& path, const std::string& text) {
  std::ofstream(path, std::ios::binary | std::ios::trunc) << text;
  std::filesystem::permissions(path, std::filesystem::perms(0644));
  return path;
}

KeyPairFiles write(const std::filesystem::path& directory, const std::string& stem, const KeyPair& pair) {
  KeyPairFiles files{directory / (stem + ".crt"), directory / (stem + ".key")};
  write_public(files.certificate, pair.certificate_pem);
  {
    std::ofstream out(files.key, std::ios::binary | std::ios::trunc);
    out << pair.key_pem;
  }
  std::filesystem::permissions(files.key, std::filesystem::perms::owner_read | std::filesystem::perms::owner_write);
  return files;
}

std::string encrypt_key(const std::string& key_text, const std::string& password) {
  Bio in(BIO_new_mem_buf(key_text.data(), static_cast<int>(key_text.size())));
  Key key(PEM_read_bio_PrivateKey(in.get(), nullptr, nullptr, nullptr));
  check(key != nullptr, "reading the key");
  Bio out(BIO_new(BIO_s_mem()));
  check(PEM_write_bio_PrivateKey(out.get(), key.get(), EVP_aes_256_cbc(),
                                 reinterpret_cast<const unsigned char*>(password.data()),
                                 static_cast<int>(password.size()), nullptr, nullptr) == 1,
        "encrypting the key");
  return bio_text(out.get());
}

}  // namespace knutpunkt::test_pki
