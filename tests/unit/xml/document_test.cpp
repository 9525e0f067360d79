#include "xml/document.h"

#include <catch2/catch.hpp>
#include <chrono>
#include <string>

#include "loopback_listener.h"
#include "stderr_capture.h"

using knutpunkt::xml::Document;
using knutpunkt::xml::ParseLimits;

TEST_CASE("a well-formed document parses and exposes its root element") {
  auto doc = Document::parse(R"(<?xml version="1.0"?><a xmlns="urn:x"><b>text &amp; more</b></a>)");
  REQUIRE(doc.has_value());
  REQUIRE(doc->root() != nullptr);
  CHECK(knutpunkt::xml::local_name(doc->root()) == "a");
  CHECK(knutpunkt::xml::namespace_uri(doc->root()) == "urn:x");
  CHECK(knutpunkt::xml::text(doc->root()) == "text & more");
}

TEST_CASE("an external entity (XXE) is rejected and the file it names never appears") {
  const std::string payload =
      R"(<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]><x>&e;</x>)";
  auto doc = Document::parse(payload);
  REQUIRE_FALSE(doc.has_value());
  CHECK(doc.error().code == "dtd_forbidden");
  CHECK(doc.error().message.find("root:") == std::string::npos);
}

TEST_CASE("a parameter entity pointing at the network is rejected without connecting") {
  LoopbackListener listener;
  const std::string payload = "<!DOCTYPE x [<!ENTITY % p SYSTEM \"" + listener.url("/p.dtd") + "\"> %p;]><x/>";
  auto doc = Document::parse(payload);
  REQUIRE_FALSE(doc.has_value());
  CHECK(doc.error().code == "dtd_forbidden");
  CHECK_FALSE(listener.was_contacted());
}

TEST_CASE("an external DTD by URL is rejected without network access") {
  LoopbackListener listener;
  const std::string payload = "<?xml version=\"1.0\"?><!DOCTYPE x SYSTEM \"" + listener.url("/evil.dtd") + "\"><x/>";
  auto doc = Document::parse(payload);
  REQUIRE_FALSE(doc.has_value());
  CHECK(doc.error().code == "dtd_forbidden");
  CHECK_FALSE(listener.was_contacted());
}

TEST_CASE("billion laughs is rejected quickly, before any expansion") {
  std::string payload = "<?xml version=\"1.0\"?><!DOCTYPE lolz [<!ENTITY lol \"lol\">";
  for (int i = 1; i <= 9; ++i) {
    payload += "<!ENTITY lol" + std::to_string(i) + " \"";
    for (int j = 0; j < 10; ++j) payload += "&lol" + (i == 1 ? std::string() : std::to_string(i - 1)) + ";";
    payload += "\">";
  }
  payload += "]><lolz>&lol9;</lolz>";
  const auto start = std::chrono::steady_clock::now();
  auto doc = Document::parse(payload);
  const auto elapsed = std::chrono::steady_clock::now() - start;
  REQUIRE_FALSE(doc.has_value());
  CHECK(doc.error().code == "dtd_forbidden");
  CHECK(elapsed < std::chrono::milliseconds(200));
}

TEST_CASE("an entity reference without any DTD is malformed, not expanded") {
  auto doc = Document::parse("<x>&e;</x>");
  REQUIRE_FALSE(doc.has_value());
  CHECK(doc.error().code == "malformed");
}

TEST_CASE("input larger than the limit is refused before parsing") {
  const std::string big = "<x>" + std::string(2048, 'a') + "</x>";
  auto doc = Document::parse(big, ParseLimits{.max_bytes = 1024});
  REQUIRE_FALSE(doc.has_value());
  CHECK(doc.error().code == "too_large");
  CHECK(Document::parse(big, ParseLimits{.max_bytes = big.size()}).has_value());
}

TEST_CASE("malformed input is reported with code and libxml2's message, nothing on stderr") {
  StderrCapture capture;
  auto doc = Document::parse("<a><b></a>");
  auto empty = Document::parse("");
  auto not_xml = Document::parse("{\"json\": true}");
  const std::string printed = capture.captured();
  REQUIRE_FALSE(doc.has_value());
  CHECK(doc.error().code == "malformed");
  CHECK(doc.error().message.find("line 1") != std::string::npos);
  REQUIRE_FALSE(empty.has_value());
  CHECK(empty.error().code == "malformed");
  REQUIRE_FALSE(not_xml.has_value());
  CHECK(not_xml.error().code == "malformed");
  CHECK(printed.empty());
}

TEST_CASE("a rejected DTD prints nothing on stderr") {
  StderrCapture capture;
  auto doc = Document::parse(R"(<!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]><x>&e;</x>)");
  CHECK_FALSE(doc.has_value());
  CHECK(capture.captured().empty());
}

TEST_CASE("documents can be moved and stay valid") {
  auto parsed = Document::parse("<a>1</a>");
  REQUIRE(parsed.has_value());
  Document moved = std::move(*parsed);
  CHECK(knutpunkt::xml::text(moved.root()) == "1");
}
