// A small mutation loop over a valid SOAP reply, not a coverage-guided fuzzer (that lives under
// tests/fuzz/): random byte flips, insertions, deletions and splices of hostile fragments must
// never crash or hang the parser, and every result is either a document or a coded error.
#include <array>
#include <catch2/catch.hpp>
#include <random>
#include <set>
#include <string>

#include "xml/document.h"
#include "xml/xpath.h"

using knutpunkt::xml::Document;

TEST_CASE("random mutations of a valid document never crash and always yield a document or a coded error") {
  const std::string seed = R"(<?xml version="1.0" encoding="UTF-8"?>
<soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"><soap:Body>
<r:svar xmlns:r="urn:r" r:k="v"><r:belopp>1234.50</r:belopp><![CDATA[x<y]]><!-- c --><?pi x?>
<r:data>PGE+YjwvYT4=</r:data></r:svar></soap:Body></soap:Envelope>)";
  const std::array<std::string, 8> fragments = {"<!DOCTYPE x [<!ENTITY e SYSTEM \"file:///etc/passwd\">]>",
                                                "&e;",
                                                "<![CDATA[",
                                                "]]>",
                                                "<!--",
                                                "&#0;",
                                                "&#x110000;",
                                                "\xC3\x28"};
  const std::set<std::string> codes = {"malformed", "dtd_forbidden"};
  auto items = knutpunkt::xml::XPath::compile("//*[local-name()='belopp']");
  REQUIRE(items.has_value());

  std::mt19937 rng(20240601);  // fixed: a failure must be reproducible
  int parsed = 0;
  int rejected = 0;
  for (int i = 0; i < 4000; ++i) {
    std::string input = seed;
    const int edits = 1 + static_cast<int>(rng() % 4);
    for (int e = 0; e < edits && !input.empty(); ++e) {
      const std::size_t at = rng() % input.size();
      switch (rng() % 4) {
        case 0:
          input[at] = static_cast<char>(rng() % 256);
          break;
        case 1:
          input.erase(at, 1 + rng() % 8);
          break;
        case 2:
          input.insert(at, 1, static_cast<char>(rng() % 256));
          break;
        default:
          input.insert(at, fragments[rng() % fragments.size()]);
          break;
      }
    }
    auto doc = Document::parse(input);
    if (doc) {
      ++parsed;
      auto nodes = items->nodes(knutpunkt::xml::XPath::document_node(*doc), {});
      CHECK(nodes.has_value());
    } else {
      ++rejected;
      CHECK(codes.count(doc.error().code) == 1);
    }
  }
  // Both outcomes must occur, or the loop is not exercising anything.
  CHECK(parsed > 0);
  CHECK(rejected > 0);
}
