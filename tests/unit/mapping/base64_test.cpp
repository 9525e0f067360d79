#include "mapping/base64.h"

#include <catch2/catch.hpp>

using knutpunkt::mapping::decode_base64;

TEST_CASE("base64 with line breaks decodes to the original bytes") {
  CHECK(decode_base64("aGVq", 100).value() == "hej");
  CHECK(decode_base64("aGVqIGTDpSE=", 100).value() == "hej d\xC3\xA5!");
  CHECK(decode_base64("aGVq\nIGTD\r\npSE=\n", 100).value() == "hej d\xC3\xA5!");
  CHECK(decode_base64("", 100).value().empty());
}

TEST_CASE("text outside the base64 alphabet is malformed") {
  auto bad = decode_base64("aGVq*IGTD", 100);
  REQUIRE_FALSE(bad.has_value());
  CHECK(bad.error().code == "malformed");
}

TEST_CASE("a payload that would decode past the limit is refused") {
  const std::string big(4000, 'A');
  auto refused = decode_base64(big, 1000);
  REQUIRE_FALSE(refused.has_value());
  CHECK(refused.error().code == "too_large");
  CHECK(decode_base64(big, 3000).has_value());
}
