#include "xml/schema.h"

#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <thread>
#include <vector>

#include "loopback_listener.h"

using knutpunkt::xml::Document;
using knutpunkt::xml::Schema;

namespace {
const std::filesystem::path kData = KNUTPUNKT_XML_TEST_DATA;

std::string order(const std::string& amount) {
  return R"(<o:order xmlns:o="urn:test:order"><o:line id="1"><o:amount>)" + amount + "</o:amount></o:line></o:order>";
}
}  // namespace

TEST_CASE("a schema with a local relative import loads and validates a conforming document") {
  auto schema = Schema::load(kData / "order.xsd");
  REQUIRE(schema.has_value());
  auto doc = Document::parse(order("12.50"));
  REQUIRE(doc.has_value());
  CHECK(schema->validate(*doc).has_value());
  CHECK(schema->validate(doc->root()).has_value());
}

TEST_CASE("a non-conforming document fails validation with code schema_invalid") {
  auto schema = Schema::load(kData / "order.xsd");
  REQUIRE(schema.has_value());
  auto doc = Document::parse(order("12.505"));
  REQUIRE(doc.has_value());
  auto result = schema->validate(*doc);
  REQUIRE_FALSE(result.has_value());
  CHECK(result.error().code == "schema_invalid");
  CHECK(result.error().message.find("amount") != std::string::npos);
}

TEST_CASE("a missing schema file is a schema_load error naming the file") {
  auto schema = Schema::load(kData / "no-such.xsd");
  REQUIRE_FALSE(schema.has_value());
  CHECK(schema.error().code == "schema_load");
  CHECK(schema.error().message.find("no-such.xsd") != std::string::npos);
}

TEST_CASE("a schema importing over the network fails to load and never connects") {
  LoopbackListener listener;
  const auto dir = std::filesystem::temp_directory_path() / ("kp-xml-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  {
    std::ofstream out(dir / "remote.xsd");
    out << R"(<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema" xmlns:t="urn:test:types" targetNamespace="urn:r">)"
        << R"(<xs:import namespace="urn:test:types" schemaLocation=")" << listener.url("/types.xsd") << R"("/>)"
        << R"(<xs:element name="r" type="t:Amount"/></xs:schema>)";
  }
  auto schema = Schema::load(dir / "remote.xsd");
  std::filesystem::remove_all(dir);
  REQUIRE_FALSE(schema.has_value());
  CHECK(schema.error().code == "schema_load");
  CHECK_FALSE(listener.was_contacted());
}

TEST_CASE("after a schema load, partner documents still cannot reach local files") {
  REQUIRE(Schema::load(kData / "order.xsd").has_value());
  auto doc = Document::parse(R"(<!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]><x>&e;</x>)");
  REQUIRE_FALSE(doc.has_value());
  CHECK(doc.error().code == "dtd_forbidden");
}

TEST_CASE("one schema validates documents from several threads at once") {
  auto schema = Schema::load(kData / "order.xsd");
  REQUIRE(schema.has_value());
  std::vector<int> valid(4, 0), invalid(4, 0);
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 200; ++i) {
        auto good = Document::parse(order(std::to_string(i) + ".25"));
        auto bad = Document::parse(order("x" + std::to_string(i)));
        if (good && schema->validate(*good)) ++valid[t];
        if (bad && !schema->validate(*bad)) ++invalid[t];
      }
    });
  }
  for (auto& th : threads) th.join();
  for (int t = 0; t < 4; ++t) {
    CHECK(valid[t] == 200);
    CHECK(invalid[t] == 200);
  }
}

TEST_CASE("findings name the element and never the value, however long the value") {
  auto schema = Schema::load(kData / "order.xsd");
  REQUIRE(schema.has_value());
  for (const std::string& value : {std::string("12.505"), std::string("Tolvansson"), std::string(300000, '7') + "x",
                                   std::string(100000, '\'') + " is not a valid value"}) {
    auto doc = Document::parse(order(value));
    REQUIRE(doc.has_value());
    const auto findings = schema->findings(*doc);
    REQUIRE_FALSE(findings.empty());
    for (const auto& finding : findings) {
      INFO(finding.detail.substr(0, 200));
      CHECK(finding.kind == "invalid_value");
      CHECK(finding.detail.find("amount") != std::string::npos);
      CHECK(finding.detail.find(value.substr(0, 6)) == std::string::npos);
      CHECK(finding.detail.size() <= 403);
    }
  }
}

namespace {
// order.xsd's document with any text as the amount: what order.xsd refuses, this accepts.
std::expected<Schema, knutpunkt::xml::XmlError> lenient_order_schema() {
  const auto dir = std::filesystem::temp_directory_path() / ("kp-xml-lenient-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  {
    std::ofstream out(dir / "lenient.xsd");
    out << R"(<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema" targetNamespace="urn:test:order")"
        << R"( elementFormDefault="qualified"><xs:element name="order"><xs:complexType><xs:sequence>)"
        << R"(<xs:element name="line" maxOccurs="unbounded"><xs:complexType><xs:sequence>)"
        << R"(<xs:element name="amount" type="xs:string"/></xs:sequence>)"
        << R"(<xs:attribute name="id" type="xs:string" use="required"/></xs:complexType></xs:element>)"
        << R"(</xs:sequence></xs:complexType></xs:element></xs:schema>)";
  }
  auto schema = Schema::load(dir / "lenient.xsd");
  std::filesystem::remove_all(dir);
  return schema;
}
}  // namespace

TEST_CASE("one thread validating against two schemas in turn gets each schema's verdict") {
  auto strict = Schema::load(kData / "order.xsd");
  auto lenient = lenient_order_schema();
  REQUIRE(strict.has_value());
  REQUIRE(lenient.has_value());
  auto doc = Document::parse(order("x1"));
  REQUIRE(doc.has_value());
  for (int round = 0; round < 3; ++round) {
    CHECK_FALSE(strict->validate(*doc).has_value());
    CHECK(lenient->validate(*doc).has_value());
    CHECK(strict->findings(doc->root()).size() == 1);
    CHECK(lenient->findings(doc->root()).empty());
  }
}

TEST_CASE("a schema loaded after another was freed validates by its own rules") {
  auto doc = Document::parse(order("x1"));
  REQUIRE(doc.has_value());
  {
    auto strict = Schema::load(kData / "order.xsd");
    REQUIRE(strict.has_value());
    CHECK_FALSE(strict->validate(*doc).has_value());
  }
  auto lenient = lenient_order_schema();
  REQUIRE(lenient.has_value());
  CHECK(lenient->validate(*doc).has_value());
  auto strict_again = Schema::load(kData / "order.xsd");
  REQUIRE(strict_again.has_value());
  CHECK_FALSE(strict_again->validate(*doc).has_value());
}

TEST_CASE("threads validating their own documents against two schemas each get their own findings") {
  auto strict = Schema::load(kData / "order.xsd");
  auto lenient = lenient_order_schema();
  REQUIRE(strict.has_value());
  REQUIRE(lenient.has_value());
  std::vector<int> correct(4, 0);
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 200; ++i) {
        // A document with t + 1 lines, of which the line with id "bad-<i>" alone holds no amount.
        std::string xml = R"(<o:order xmlns:o="urn:test:order">)";
        for (int k = 0; k <= t; ++k) {
          const bool bad = k == i % (t + 1);
          xml += R"(<o:line id=")" + (bad ? "bad-" + std::to_string(i) : std::to_string(k)) + R"("><o:amount>)" +
                 (bad ? "x" : std::to_string(k) + ".5") + "</o:amount></o:line>";
        }
        auto doc = Document::parse(xml + "</o:order>");
        if (!doc) continue;
        const Schema& schema = i % 2 == 0 ? *strict : *lenient;
        const auto found = schema.findings(doc->root());
        if (i % 2 != 0) {
          if (found.empty()) ++correct[t];
          continue;
        }
        if (found.size() != 1 || found[0].node == nullptr || found[0].node->doc != doc->get()) continue;
        xmlNodePtr line = found[0].node->parent;
        xmlChar* id = line != nullptr ? xmlGetProp(line, reinterpret_cast<const xmlChar*>("id")) : nullptr;
        if (id != nullptr && reinterpret_cast<const char*>(id) == "bad-" + std::to_string(i)) ++correct[t];
        xmlFree(id);
      }
    });
  }
  for (auto& th : threads) th.join();
  for (int t = 0; t < 4; ++t) CHECK(correct[t] == 200);
}
