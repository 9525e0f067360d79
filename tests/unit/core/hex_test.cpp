// Hex text of bytes: what we write reads back exactly; anything else is refused, never guessed.
#include <catch2/catch.hpp>

#include "core/hex.h"

using namespace knutpunkt;

TEST_CASE("bytes become lower-case hex and read back exactly") {
  const std::vector<unsigned char> bytes = {0x00, 0x0f, 0x10, 0xa5, 0xff};
  CHECK(hex_encode(bytes) == "000f10a5ff");
  CHECK(hex_decode("000f10a5ff") == bytes);
  CHECK(hex_encode({}) == "");
  CHECK(hex_decode("") == std::vector<unsigned char>{});
}

TEST_CASE("odd lengths, upper case and other characters are not hex we wrote") {
  CHECK_FALSE(hex_decode("abc"));
  CHECK_FALSE(hex_decode("AB"));
  CHECK_FALSE(hex_decode("0g"));
  CHECK_FALSE(hex_decode(" 0"));
}
