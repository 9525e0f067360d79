#include "audit_export/signing_key.h"

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <sys/stat.h>

#include <catch2/catch.hpp>

#include "core/digest.h"
#include "export_test_support.h"

using namespace export_test;

TEST_CASE("keygen writes a PKCS#8 private key readable only by its owner and a public key with the same key id") {
  TempDir dir;
  KeyPair keys{dir.path / "gw.key", dir.path / "gw.pub"};
  auto id = ae::generate_key_pair(keys.private_pem, keys.public_pem);
  REQUIRE(id.has_value());
  CHECK(id->size() == 16);

  struct stat st {};
  REQUIRE(::stat(keys.private_pem.c_str(), &st) == 0);
  CHECK((st.st_mode & 0777) == 0600);
  CHECK(read_file(keys.private_pem).starts_with("-----BEGIN PRIVATE KEY-----"));
  CHECK(read_file(keys.public_pem).starts_with("-----BEGIN PUBLIC KEY-----"));

  CHECK(signing_key(keys).key_id() == *id);
  CHECK(verifying_key(keys).key_id() == *id);
}

TEST_CASE("the key id is the first 16 hex digits of SHA-256 over the raw public key") {
  TempDir dir;
  auto keys = make_keys(dir.path);
  BIO* bio = BIO_new_file(keys.public_pem.c_str(), "r");
  REQUIRE(bio != nullptr);
  EVP_PKEY* key = PEM_read_bio_PUBKEY(bio, nullptr, nullptr, nullptr);
  BIO_free(bio);
  REQUIRE(key != nullptr);
  unsigned char raw[32];
  std::size_t size = sizeof raw;
  REQUIRE(EVP_PKEY_get_raw_public_key(key, raw, &size) == 1);
  EVP_PKEY_free(key);
  const std::string expected =
      knutpunkt::sha256_hex(std::string_view(reinterpret_cast<const char*>(raw), size)).substr(0, 16);
  CHECK(verifying_key(keys).key_id() == expected);
}

TEST_CASE("keygen refuses to overwrite an existing key file") {
  TempDir dir;
  auto keys = make_keys(dir.path);
  const std::string before = read_file(keys.private_pem);
  auto again = ae::generate_key_pair(keys.private_pem, dir.path / "other.pub");
  REQUIRE_FALSE(again.has_value());
  CHECK(again.error().code == "output_exists");
  CHECK(read_file(keys.private_pem) == before);
  CHECK_FALSE(std::filesystem::exists(dir.path / "other.pub"));
}

TEST_CASE("a signature verifies with the matching public key only, and only over the signed bytes") {
  TempDir dir;
  auto keys = make_keys(dir.path, "a");
  auto other = make_keys(dir.path, "b");
  auto signature = signing_key(keys).sign_hex("manifest bytes");
  REQUIRE(signature.has_value());
  CHECK(signature->size() == 128);
  CHECK(verifying_key(keys).verify("manifest bytes", *signature));
  CHECK_FALSE(verifying_key(keys).verify("manifest byteS", *signature));
  CHECK_FALSE(verifying_key(other).verify("manifest bytes", *signature));
  std::string flipped = *signature;
  flipped[10] = flipped[10] == '0' ? '1' : '0';
  CHECK_FALSE(verifying_key(keys).verify("manifest bytes", flipped));
  CHECK_FALSE(verifying_key(keys).verify("manifest bytes", "not hex"));
}

TEST_CASE("loading a key reports a missing file, a non-PEM file and a non-Ed25519 key as distinct errors") {
  TempDir dir;
  auto missing = ae::load_signing_key(dir.path / "nope.pem");
  REQUIRE_FALSE(missing.has_value());
  CHECK(missing.error().code == "io_error");

  write_file(dir.path / "junk.pem", "not a key\n");
  auto junk = ae::load_verifying_key(dir.path / "junk.pem");
  REQUIRE_FALSE(junk.has_value());
  CHECK(junk.error().code == "key_invalid");

  EVP_PKEY* ec = EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256");
  REQUIRE(ec != nullptr);
  BIO* bio = BIO_new_file((dir.path / "ec.pem").c_str(), "w");
  REQUIRE(PEM_write_bio_PKCS8PrivateKey(bio, ec, nullptr, nullptr, 0, nullptr, nullptr) == 1);
  BIO_free(bio);
  EVP_PKEY_free(ec);
  auto wrong_type = ae::load_signing_key(dir.path / "ec.pem");
  REQUIRE_FALSE(wrong_type.has_value());
  CHECK(wrong_type.error().code == "key_not_ed25519");
}

TEST_CASE("an encrypted private key is refused instead of prompting for a passphrase") {
  TempDir dir;
  EVP_PKEY* key = EVP_PKEY_Q_keygen(nullptr, nullptr, "ED25519");
  REQUIRE(key != nullptr);
  BIO* bio = BIO_new_file((dir.path / "enc.pem").c_str(), "w");
  char pass[] = "hemligt";
  REQUIRE(PEM_write_bio_PKCS8PrivateKey(bio, key, EVP_aes_256_cbc(), pass, sizeof pass - 1, nullptr, nullptr) == 1);
  BIO_free(bio);
  EVP_PKEY_free(key);
  auto loaded = ae::load_signing_key(dir.path / "enc.pem");
  REQUIRE_FALSE(loaded.has_value());
  CHECK(loaded.error().code == "key_invalid");
  CHECK(loaded.error().message.find("hemligt") == std::string::npos);
}
