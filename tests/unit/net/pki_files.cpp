#include "pki_files.h"

#include <cstdlib>
#include <stdexcept>

namespace knutpunkt::test {

TestPki::TestPki() {
  std::string pattern = (std::filesystem::temp_directory_path() / "knutpunkt-pki-XXXXXX").string();
  if (::mkdtemp(pattern.data()) == nullptr) throw std::runtime_error("test PKI: temporary folder");
  dir_ = pattern;
}

TestPki::~TestPki() {
  std::error_code ignored;
  std::filesystem::remove_all(dir_, ignored);
}

void TestPki::make_ca(const std::string& name) {
  auto [it, _] =
      authorities_.emplace(name, test_pki::Authority(name + " test CA", {.until = std::chrono::hours(24 * 365)}));
  test_pki::write_public(ca_file(name), it->second.certificate_pem());
}

TestPki::Issued TestPki::issue(const std::string& ca, const std::string& file, const CertificateSpec& spec,
                               const std::string& password) {
  const auto authority = authorities_.find(ca);
  if (authority == authorities_.end()) throw std::runtime_error("test PKI: unknown CA " + ca);
  auto pair = authority->second.issue({.common_name = spec.common_name,
                                       .organisation = {},
                                       .serial_number = spec.serial_number,
                                       .dns_names = spec.dns_names,
                                       .ip_addresses = spec.ip_addresses,
                                       .validity = {.from = spec.not_before, .until = spec.not_after},
                                       .server = spec.server});
  if (!password.empty()) pair.key_pem = test_pki::encrypt_key(pair.key_pem, password);
  const auto files = test_pki::write(dir_, file, pair);
  return {files.certificate, files.key};
}

}  // namespace knutpunkt::test
