#pragma once
// The shared test PKI (tests/support/test_pki.h) as these tests use it: named CAs whose
// certificates, and the ones they issue, are written as PEM files into a temporary folder that is
// removed with it. Validity is computed from the current time, never a calendar day.
#include <chrono>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "test_pki.h"

namespace knutpunkt::test {

struct CertificateSpec {
  std::string common_name{};
  std::string serial_number{};                // subject serialNumber (the organisationsnummer), if any
  std::vector<std::string> dns_names{};       // subjectAltName DNS entries
  std::vector<std::string> ip_addresses{};    // subjectAltName IP entries
  std::chrono::seconds not_before{-3600};     // from now
  std::chrono::seconds not_after{24 * 3600};  // from now
  bool server = true;                         // serverAuth, else clientAuth
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
  std::filesystem::path dir_;
  std::map<std::string, test_pki::Authority> authorities_;
};

}  // namespace knutpunkt::test
