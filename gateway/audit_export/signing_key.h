#pragma once
#include <expected>
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>

#include "audit_export/export_error.h"

typedef struct evp_pkey_st EVP_PKEY;

namespace knutpunkt::audit_export {

struct PkeyDeleter {
  void operator()(EVP_PKEY* key) const;
};
using PkeyPtr = std::unique_ptr<EVP_PKEY, PkeyDeleter>;

// The public half of the gateway's export-signing key (Ed25519, RFC 8032). This is all an
// auditor's machine needs to check a manifest.
class VerifyingKey {
 public:
  explicit VerifyingKey(PkeyPtr key);
  // First 16 hex digits of SHA-256 over the raw 32-byte public key: short enough to read out
  // over the phone, long enough that two keys of one organisation never collide by chance.
  const std::string& key_id() const { return key_id_; }
  // `signature_hex` is the 128-hex-digit Ed25519 signature over `message`.
  bool verify(std::string_view message, std::string_view signature_hex) const;

 private:
  PkeyPtr key_;
  std::string key_id_;
};

// The private half; signs manifests. Never printed, never logged.
class SigningKey {
 public:
  explicit SigningKey(PkeyPtr key);
  const std::string& key_id() const { return key_id_; }
  std::expected<std::string, ExportError> sign_hex(std::string_view message) const;
  // The key that verifies what this one signs (the gateway checks its own checkpoints with it).
  std::expected<VerifyingKey, ExportError> public_half() const;

 private:
  PkeyPtr key_;
  std::string key_id_;
};

// PEM files as OpenSSL writes them: PKCS#8 "PRIVATE KEY" and SubjectPublicKeyInfo "PUBLIC KEY".
// An encrypted private key is refused rather than prompting for a passphrase on the terminal
// (the export runs unattended as well). Codes: "io_error", "key_invalid", "key_not_ed25519".
std::expected<SigningKey, ExportError> load_signing_key(const std::filesystem::path& pem_file);
std::expected<VerifyingKey, ExportError> load_verifying_key(const std::filesystem::path& pem_file);

// Creates a fresh key pair. The private file is created with mode 0600 and neither file may
// exist already (overwriting a signing key would orphan every manifest it signed). Returns the
// key id. Codes: "output_exists", "io_error", "crypto_error".
std::expected<std::string, ExportError> generate_key_pair(const std::filesystem::path& private_pem,
                                                          const std::filesystem::path& public_pem);

}  // namespace knutpunkt::audit_export
