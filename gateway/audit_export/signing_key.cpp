#include "audit_export/signing_key.h"

#include <fcntl.h>
#include <openssl/bio.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstring>
#include <vector>

#include "core/digest.h"
#include "core/hex.h"

namespace knutpunkt::audit_export {

void PkeyDeleter::operator()(EVP_PKEY* key) const {
  EVP_PKEY_free(key);
}

namespace {

struct BioDeleter {
  void operator()(BIO* bio) const { BIO_free(bio); }
};
using BioPtr = std::unique_ptr<BIO, BioDeleter>;

struct MdCtxDeleter {
  void operator()(EVP_MD_CTX* ctx) const { EVP_MD_CTX_free(ctx); }
};
using MdCtxPtr = std::unique_ptr<EVP_MD_CTX, MdCtxDeleter>;

constexpr std::size_t kSignatureBytes = 64;  // Ed25519, RFC 8032 section 5.1.6

// OpenSSL's error queue may name a file or a parser state, never key bytes; it is cleared
// rather than shown, so a message never depends on what the queue happens to hold.
ExportError crypto_failure(std::string code, std::string field, std::string message) {
  ERR_clear_error();
  return {std::move(code), std::move(field), std::move(message)};
}

// Refuses every passphrase request: an encrypted key fails to load instead of blocking on a
// terminal prompt.
int no_passphrase(char*, int, int, void*) {
  return -1;
}

std::expected<std::string, ExportError> key_id_of(EVP_PKEY* key) {
  std::array<unsigned char, 32> raw{};
  std::size_t size = raw.size();
  if (EVP_PKEY_get_raw_public_key(key, raw.data(), &size) != 1 || size != raw.size()) {
    return std::unexpected(crypto_failure("key_invalid", "", "the public key could not be read"));
  }
  return sha256_hex(std::string_view(reinterpret_cast<const char*>(raw.data()), size)).substr(0, 16);
}

std::expected<BioPtr, ExportError> open_pem(const std::filesystem::path& file) {
  BioPtr bio(BIO_new_file(file.c_str(), "r"));
  if (!bio)
    return std::unexpected(crypto_failure("io_error", file.string(), "cannot read the key file " + file.string()));
  return bio;
}

std::expected<PkeyPtr, ExportError> require_ed25519(EVP_PKEY* loaded, const std::filesystem::path& file,
                                                    const char* what) {
  if (loaded == nullptr) {
    return std::unexpected(
        crypto_failure("key_invalid", file.string(), file.string() + " holds no unencrypted PEM " + what));
  }
  PkeyPtr key(loaded);
  if (EVP_PKEY_get_base_id(key.get()) != EVP_PKEY_ED25519) {
    return std::unexpected(crypto_failure("key_not_ed25519", file.string(), file.string() + " is not an Ed25519 key"));
  }
  return key;
}

// Writes `bytes` to a file that must not exist yet, with `mode`, and fsyncs it: a key pair that
// vanishes in a crash after it was reported as created would be worse than no key pair.
std::expected<void, ExportError> write_new_file(const std::filesystem::path& file, std::string_view bytes,
                                                mode_t mode) {
  const int fd = ::open(file.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode);
  if (fd < 0) {
    if (errno == EEXIST) {
      return std::unexpected(ExportError{"output_exists", file.string(), file.string() + " exists already"});
    }
    return std::unexpected(
        ExportError{"io_error", file.string(), "cannot create " + file.string() + ": " + std::strerror(errno)});
  }
  std::size_t done = 0;
  while (done < bytes.size()) {
    const ssize_t n = ::write(fd, bytes.data() + done, bytes.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      const std::string reason = std::strerror(errno);
      ::close(fd);
      return std::unexpected(ExportError{"io_error", file.string(), "cannot write " + file.string() + ": " + reason});
    }
    done += static_cast<std::size_t>(n);
  }
  const bool synced = ::fsync(fd) == 0;
  const bool closed = ::close(fd) == 0;
  if (!synced || !closed) {
    return std::unexpected(ExportError{"io_error", file.string(), "cannot write " + file.string()});
  }
  return {};
}

std::string drain(BIO* bio) {
  char* data = nullptr;
  const long size = BIO_get_mem_data(bio, &data);
  return std::string(data, static_cast<std::size_t>(size));
}

}  // namespace

VerifyingKey::VerifyingKey(PkeyPtr key) : key_(std::move(key)) {
  key_id_ = key_id_of(key_.get()).value_or("");
}

bool VerifyingKey::verify(std::string_view message, std::string_view signature_hex) const {
  const auto decoded = hex_decode(signature_hex);
  if (!decoded || decoded->size() != kSignatureBytes) return false;
  const std::vector<unsigned char>& signature = *decoded;
  MdCtxPtr ctx(EVP_MD_CTX_new());
  // Ed25519 hashes internally: no digest is named (RFC 8032 PureEdDSA).
  const bool ok = ctx && EVP_DigestVerifyInit(ctx.get(), nullptr, nullptr, nullptr, key_.get()) == 1 &&
                  EVP_DigestVerify(ctx.get(), signature.data(), signature.size(),
                                   reinterpret_cast<const unsigned char*>(message.data()), message.size()) == 1;
  ERR_clear_error();
  return ok;
}

SigningKey::SigningKey(PkeyPtr key) : key_(std::move(key)) {
  key_id_ = key_id_of(key_.get()).value_or("");
}

std::expected<std::string, ExportError> SigningKey::sign_hex(std::string_view message) const {
  MdCtxPtr ctx(EVP_MD_CTX_new());
  std::array<unsigned char, kSignatureBytes> signature{};
  std::size_t size = signature.size();
  if (!ctx || EVP_DigestSignInit(ctx.get(), nullptr, nullptr, nullptr, key_.get()) != 1 ||
      EVP_DigestSign(ctx.get(), signature.data(), &size, reinterpret_cast<const unsigned char*>(message.data()),
                     message.size()) != 1 ||
      size != signature.size()) {
    return std::unexpected(crypto_failure("crypto_error", "", "signing the manifest failed"));
  }
  return hex_encode({signature.data(), size});
}

std::expected<VerifyingKey, ExportError> SigningKey::public_half() const {
  std::array<unsigned char, 32> raw{};
  std::size_t size = raw.size();
  if (EVP_PKEY_get_raw_public_key(key_.get(), raw.data(), &size) != 1 || size != raw.size()) {
    return std::unexpected(crypto_failure("crypto_error", "", "the public half of the signing key could not be read"));
  }
  PkeyPtr pub(EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, nullptr, raw.data(), raw.size()));
  if (!pub) return std::unexpected(crypto_failure("crypto_error", "", "the public half of the signing key could not be made"));
  return VerifyingKey(std::move(pub));
}

std::expected<SigningKey, ExportError> load_signing_key(const std::filesystem::path& pem_file) {
  auto bio = open_pem(pem_file);
  if (!bio) return std::unexpected(std::move(bio.error()));
  auto key =
      require_ed25519(PEM_read_bio_PrivateKey(bio->get(), nullptr, no_passphrase, nullptr), pem_file, "private key");
  if (!key) return std::unexpected(std::move(key.error()));
  SigningKey signing(std::move(*key));
  if (signing.key_id().empty())
    return std::unexpected(crypto_failure("key_invalid", pem_file.string(), "the key has no public half"));
  return signing;
}

std::expected<VerifyingKey, ExportError> load_verifying_key(const std::filesystem::path& pem_file) {
  auto bio = open_pem(pem_file);
  if (!bio) return std::unexpected(std::move(bio.error()));
  auto key = require_ed25519(PEM_read_bio_PUBKEY(bio->get(), nullptr, no_passphrase, nullptr), pem_file, "public key");
  if (!key) return std::unexpected(std::move(key.error()));
  VerifyingKey verifying(std::move(*key));
  if (verifying.key_id().empty())
    return std::unexpected(crypto_failure("key_invalid", pem_file.string(), "the public key could not be read"));
  return verifying;
}

std::expected<std::string, ExportError> generate_key_pair(const std::filesystem::path& private_pem,
                                                          const std::filesystem::path& public_pem) {
  for (const auto& file : {private_pem, public_pem}) {
    if (std::filesystem::exists(file)) {
      return std::unexpected(ExportError{"output_exists", file.string(), file.string() + " exists already"});
    }
  }
  PkeyPtr key(EVP_PKEY_Q_keygen(nullptr, nullptr, "ED25519"));
  if (!key) return std::unexpected(crypto_failure("crypto_error", "", "generating an Ed25519 key failed"));

  BioPtr private_bio(BIO_new(BIO_s_secmem()));
  BioPtr public_bio(BIO_new(BIO_s_mem()));
  if (!private_bio || !public_bio ||
      PEM_write_bio_PKCS8PrivateKey(private_bio.get(), key.get(), nullptr, nullptr, 0, nullptr, nullptr) != 1 ||
      PEM_write_bio_PUBKEY(public_bio.get(), key.get()) != 1) {
    return std::unexpected(crypto_failure("crypto_error", "", "encoding the key pair failed"));
  }
  std::string private_text = drain(private_bio.get());
  auto written = write_new_file(private_pem, private_text, 0600);
  OPENSSL_cleanse(private_text.data(), private_text.size());
  if (!written) return std::unexpected(std::move(written.error()));
  if (auto w = write_new_file(public_pem, drain(public_bio.get()), 0644); !w) {
    // A private key without its public half is of no use to anyone; do not leave it behind.
    std::error_code ignored;
    std::filesystem::remove(private_pem, ignored);
    return std::unexpected(std::move(w.error()));
  }
  auto id = key_id_of(key.get());
  if (!id) return std::unexpected(std::move(id.error()));
  return *id;
}

}  // namespace knutpunkt::audit_export
