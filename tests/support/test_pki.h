#pragma once
// Certificates made at test time with OpenSSL: a CA and the server and client certificates it
// issues, valid from and until times computed from now, so that no test carries a certificate
// that expires on a calendar day. Keys are EC P-256; files are written with keys 0600.
#include <chrono>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

namespace knutpunkt::test_pki {

struct Validity {
  // Relative to now: {-1h, +1h} is valid now; {-2h, -1h} has expired; {+1h, +2h} is not yet valid.
  std::chrono::seconds from{-std::chrono::hours(1)};
  std::chrono::seconds until{std::chrono::hours(24)};
};

struct Request {
  std::string common_name;
  std::string organisation;
  std::string serial_number;  // the subject's serialNumber attribute (an organisationsnummer)
  std::vector<std::string> dns_names;
  std::vector<std::string> ip_addresses;
  Validity validity;
  bool server = true;  // extendedKeyUsage serverAuth, else clientAuth
};

struct KeyPair {
  std::string certificate_pem;
  std::string key_pem;
};

// Paths of a key pair written to disk.
struct KeyPairFiles {
  std::filesystem::path certificate;
  std::filesystem::path key;
};

class Authority {
 public:
  explicit Authority(const std::string& name, Validity validity = {});
  ~Authority();
  Authority(Authority&&) noexcept;
  Authority& operator=(Authority&&) noexcept;

  KeyPair issue(const Request& request) const;
  const std::string& certificate_pem() const;

 private:
  struct State;
  std::unique_ptr<State> state_;
};

// Writes `<stem>.crt` and `<stem>.key` (0600) into `directory`.
KeyPairFiles write(const std::filesystem::path& directory, const std::string& stem, const KeyPair& pair);
// Writes `text` to `path` (mode 0644: certificates are public).
std::filesystem::path write_public(const std::filesystem::path& path, const std::string& text);

// The key PEM encrypted with AES-256 under `password`.
std::string encrypt_key(const std::string& key_pem, const std::string& password);

}  // namespace knutpunkt::test_pki
