#include "identity/password_hash.h"

#include <catch2/catch.hpp>

using namespace knutpunkt::identity;

TEST_CASE("a hashed password verifies, another does not, and two hashes of one password differ by salt") {
  auto hash = hash_password("correct horse battery", 1000);
  REQUIRE(hash.has_value());
  CHECK(hash->starts_with("pbkdf2-sha256$1000$"));
  CHECK(is_password_hash(*hash));
  CHECK(verify_password("correct horse battery", *hash));
  CHECK_FALSE(verify_password("correct horse batterY", *hash));
  CHECK_FALSE(verify_password("", *hash));
  auto again = hash_password("correct horse battery", 1000);
  REQUIRE(again.has_value());
  CHECK(*again != *hash);
  CHECK(verify_password("correct horse battery", *again));
}

TEST_CASE("a hash made elsewhere with the documented format verifies (Python's hashlib.pbkdf2_hmac)") {
  // hashlib.pbkdf2_hmac('sha256', b'test-losenord-revisor', bytes.fromhex('6b6e75747000...01'), 1000, 32)
  const std::string hash =
      "pbkdf2-sha256$1000$6b6e7574700000000000000000000001$"
      "f9fa31418a0f48d06b8d4bd0b865ec4d4204b863f467fc5698a21f3c163c301e";
  CHECK(verify_password("test-losenord-revisor", hash));
  CHECK_FALSE(verify_password("test-losenord-revisoR", hash));
}

TEST_CASE("malformed hashes and short passwords are refused") {
  CHECK_FALSE(is_password_hash("plain-text-password"));
  CHECK_FALSE(is_password_hash("pbkdf2-sha256$999$00112233445566778899aabbccddeeff$" + std::string(64, 'a')));
  CHECK_FALSE(is_password_hash("pbkdf2-sha256$1000$0011$" + std::string(64, 'a')));
  CHECK_FALSE(is_password_hash("pbkdf2-sha256$1000$00112233445566778899aabbccddeeff$" + std::string(63, 'a')));
  CHECK_FALSE(is_password_hash("pbkdf2-sha1$1000$00112233445566778899aabbccddeeff$" + std::string(64, 'a')));
  CHECK_FALSE(verify_password("anything at all", "not a hash"));
  CHECK_FALSE(hash_password("too short", 1000).has_value());
}
