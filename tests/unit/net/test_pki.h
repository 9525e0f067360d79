#pragma once
// A small PKI made at run time for TLS tests: CAs, server and client certificates whose validity
// is computed from the current time (never a committed certificate that expires one day), written
// as PEM files into a temporary folder that is removed with it.
#include <chrono>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

using EVP_PKEY = struct evp_pkey_st;
using X509 = struct x509_st;

namespace knutpunkt::test {

struct CertificateSpec {
  std::string common_name{};
  std::string serial_number{};                // subject serialNumber (the organisationsnummer), if any
  std::vector<std::string> dns_names{};       // subjectAltName DNS entries
  std::vector<std::string> ip_addresses{};    // subjectAltName IP entries
  std::chrono::seconds not_before{-3600};     // from now
  std::chrono::seconds not_after{24 * 3600};  // from now
};

class TestPki {
 public:
  struct Issued {
    std::filesystem::path certificate;  // PEM
    std::filesystem::path key;          // PEM, mode 0600
  };

  TestPki();
  ~TestPki();
  TestPki(const TestPki&) = delete;
  TestPki& operator=(const TestPki&) = delete;

  const std::filesystem::path& dir() const { return dir_; }

  // A self-signed CA; its certificate is at ca_file(name).
  void make_ca(const std::string& name);
  std::filesystem::path ca_file(const std::string& name) const { return dir_ / (name + "-ca.pem"); }
  // A certificate issued by CA `ca`, stored as <file>.pem and <file>.key; a non-empty `password`
  // encrypts the key (AES-256).
  Issued issue(const std::string& ca, const std::string& file, const CertificateSpec& spec,
               const std::string& password = "");

 private:
  struct Authority;
  std::filesystem::path dir_;
  std::vector<std::unique_ptr<Authority>> authorities_;
};

}  // namespace knutpunkt::test
