#include "xml/xpath.h"

#include <catch2/catch.hpp>
#include <thread>
#include <vector>

#include "stderr_capture.h"

using knutpunkt::xml::Document;
using knutpunkt::xml::Namespaces;
using knutpunkt::xml::XPath;

namespace {
const char* kEnvelope = R"(<soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/">
  <soap:Body><r:reply xmlns:r="urn:reply"><r:item n="1">10</r:item><r:item n="2">20</r:item></r:reply></soap:Body>
</soap:Envelope>)";
const Namespaces kNs = {{"s", "http://schemas.xmlsoap.org/soap/envelope/"}, {"x", "urn:reply"}};
}  // namespace

TEST_CASE("namespaced XPath selects by namespace URI, whatever prefix the document used") {
  auto doc = Document::parse(kEnvelope);
  REQUIRE(doc.has_value());
  auto items = XPath::compile("/s:Envelope/s:Body/x:reply/x:item");
  REQUIRE(items.has_value());
  auto nodes = items->nodes(XPath::document_node(*doc), kNs);
  REQUIRE(nodes.has_value());
  REQUIRE(nodes->size() == 2);
  CHECK(knutpunkt::xml::text((*nodes)[1]) == "20");

  auto attr = XPath::compile("@n");
  REQUIRE(attr.has_value());
  CHECK(attr->string((*nodes)[0], kNs).value() == std::optional<std::string>("1"));

  auto sum = XPath::compile("sum(//x:item)");
  REQUIRE(sum.has_value());
  CHECK(sum->string(doc->root(), kNs).value() == std::optional<std::string>("30"));

  auto none = XPath::compile("x:missing");
  REQUIRE(none.has_value());
  CHECK(none->string(doc->root(), kNs).value() == std::nullopt);

  auto has = XPath::compile("boolean(//x:item[@n='2'])");
  REQUIRE(has.has_value());
  CHECK(has->boolean(doc->root(), kNs).value());
  CHECK_FALSE(XPath::compile("boolean(//x:item[@n='3'])")->boolean(doc->root(), kNs).value());
}

TEST_CASE("a syntax error is reported at compile time with code xpath_invalid, nothing on stderr") {
  StderrCapture capture;
  auto bad = XPath::compile("/a/b[");
  auto worse = XPath::compile("///");
  const std::string printed = capture.captured();
  REQUIRE_FALSE(bad.has_value());
  CHECK(bad.error().code == "xpath_invalid");
  CHECK(bad.error().message.find("/a/b[") != std::string::npos);
  CHECK_FALSE(worse.has_value());
  CHECK(printed.empty());
}

TEST_CASE("an unbound prefix is caught by check_prefixes and at evaluation, not printed") {
  auto expr = XPath::compile("/s:Envelope/q:Body[@a = 'z:y']/child::x:reply");
  REQUIRE(expr.has_value());
  auto checked = expr->check_prefixes(kNs);
  REQUIRE_FALSE(checked.has_value());
  CHECK(checked.error().message.find("'q'") != std::string::npos);
  CHECK(XPath::compile("/s:Envelope/child::x:reply[@a='q:z']")->check_prefixes(kNs).has_value());

  auto doc = Document::parse(kEnvelope);
  REQUIRE(doc.has_value());
  StderrCapture capture;
  auto result = XPath::compile("//q:item")->nodes(XPath::document_node(*doc), kNs);
  CHECK(capture.captured().empty());
  REQUIRE_FALSE(result.has_value());
  CHECK(result.error().code == "xpath_invalid");
}

TEST_CASE("asking for nodes from a non node-set expression is an error") {
  auto doc = Document::parse(kEnvelope);
  REQUIRE(doc.has_value());
  auto result = XPath::compile("count(//x:item)")->nodes(doc->root(), kNs);
  REQUIRE_FALSE(result.has_value());
  CHECK(result.error().code == "xpath_invalid");
}

TEST_CASE("one compiled expression is evaluated from several threads on different documents") {
  auto expr = XPath::compile("sum(/x:reply/x:item) + count(/x:reply/x:item[position() > 0])");
  REQUIRE(expr.has_value());
  std::vector<int> correct(4, 0);
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 500; ++i) {
        auto doc = Document::parse("<reply xmlns='urn:reply'><item>" + std::to_string(i) + "</item><item>" +
                                   std::to_string(t) + "</item></reply>");
        if (!doc) continue;
        auto value = expr->string(doc->root(), kNs);
        if (value && *value == std::to_string(i + t + 2)) ++correct[t];
      }
    });
  }
  for (auto& th : threads) th.join();
  for (int t = 0; t < 4; ++t) CHECK(correct[t] == 500);
}

TEST_CASE("one thread evaluating under two namespace bindings in turn gets each binding's answer") {
  auto doc = Document::parse(R"(<r xmlns:a="urn:a" xmlns:b="urn:b"><a:v>1</a:v><b:v>2</b:v></r>)");
  REQUIRE(doc.has_value());
  auto expr = XPath::compile("string(//p:v)");
  REQUIRE(expr.has_value());
  const Namespaces as_a = {{"p", "urn:a"}};
  const Namespaces as_b = {{"p", "urn:b"}};
  for (int round = 0; round < 3; ++round) {
    CHECK(expr->string(doc->root(), as_a).value() == std::optional<std::string>("1"));
    CHECK(expr->string(doc->root(), as_b).value() == std::optional<std::string>("2"));
  }
  // Without the binding the prefix is unknown again: nothing of an earlier call's set remains.
  CHECK_FALSE(expr->string(doc->root(), {}).has_value());
  CHECK(expr->string(doc->root(), as_a).value() == std::optional<std::string>("1"));
}

TEST_CASE("threads evaluating under different bindings on their own documents each get their own answer") {
  auto expr = XPath::compile("concat(count(//p:v), ':', sum(//p:v))");
  REQUIRE(expr.has_value());
  const Namespaces as_a = {{"p", "urn:a"}};
  const Namespaces as_b = {{"p", "urn:b"}};
  std::vector<int> correct(4, 0);
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 300; ++i) {
        // i values in urn:a, t + 1 values in urn:b, each worth i.
        std::string xml = R"(<r xmlns:a="urn:a" xmlns:b="urn:b">)";
        for (int k = 0; k < i; ++k) xml += "<a:v>" + std::to_string(i) + "</a:v>";
        for (int k = 0; k <= t; ++k) xml += "<b:v>" + std::to_string(i) + "</b:v>";
        auto doc = Document::parse(xml + "</r>");
        if (!doc) continue;
        const bool use_a = (i + t) % 2 == 0;
        const int n = use_a ? i : t + 1;
        auto value = expr->string(doc->root(), use_a ? as_a : as_b);
        if (value && *value == std::optional<std::string>(std::to_string(n) + ":" + std::to_string(n * i))) {
          ++correct[t];
        }
      }
    });
  }
  for (auto& th : threads) th.join();
  for (int t = 0; t < 4; ++t) CHECK(correct[t] == 300);
}

TEST_CASE("thousands of failed evaluations on one thread leave the next one unaffected") {
  auto doc = Document::parse(kEnvelope);
  REQUIRE(doc.has_value());
  auto unbound = XPath::compile("count(/s:Envelope/s:Body/x:reply/q:item[1])");
  auto sum = XPath::compile("sum(/s:Envelope/s:Body/x:reply/x:item)");
  REQUIRE(unbound.has_value());
  REQUIRE(sum.has_value());
  int failed = 0;
  for (int i = 0; i < 6000; ++i) failed += unbound->string(doc->root(), kNs).has_value() ? 0 : 1;
  CHECK(failed == 6000);
  auto value = sum->string(doc->root(), kNs);
  REQUIRE(value.has_value());
  CHECK(*value == std::optional<std::string>("30"));
}

TEST_CASE("an evaluation that failed leaves the next one on the thread unaffected") {
  auto doc = Document::parse(kEnvelope);
  REQUIRE(doc.has_value());
  auto unbound = XPath::compile("count(//q:item)");
  auto sum = XPath::compile("sum(//x:item)");
  REQUIRE(unbound.has_value());
  REQUIRE(sum.has_value());
  for (int round = 0; round < 2; ++round) {
    auto failed = unbound->string(doc->root(), kNs);
    REQUIRE_FALSE(failed.has_value());
    CHECK(failed.error().code == "xpath_invalid");
    auto value = sum->string(doc->root(), kNs);
    REQUIRE(value.has_value());
    CHECK(*value == std::optional<std::string>("30"));
  }
}

TEST_CASE("paths of child steps, walked directly, select what libxml2's evaluator selects") {
  // The fast walk only takes expressions made of child steps; spelling the same steps with the
  // child:: axis sends them through libxml2, which is the reference here.
  const char* xml = R"(<?xml version="1.0"?>
<!-- a comment before the root -->
<a:root xmlns:a="urn:a" xmlns:b="urn:b" xmlns="urn:default">
  <a:list>
    <a:item>one<b:note>first <b:em>note</b:em></b:note></a:item>
    <a:item><b:note>second</b:note><b:note>third</b:note></a:item>
    <a:other><b:note>not an item's</b:note></a:other>
    <a:item/>
  </a:list>
  <a:list><a:item><b:note>fourth</b:note></a:item></a:list>
  <plain>in the default namespace</plain>
  <a:bare><plain xmlns="">in no namespace</plain></a:bare>
  <a:dashed-name.x>odd but legal</a:dashed-name.x>
</a:root>)";
  auto doc = Document::parse(xml);
  REQUIRE(doc.has_value());
  // "b" is bound twice: the last binding counts, in libxml2's table as in the walk.
  const Namespaces ns = {{"p", "urn:a"}, {"b", "urn:wrong"}, {"b", "urn:b"}, {"d", "urn:default"}};
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"p:root", "child::p:root"},
      {"p:root/p:list/p:item", "child::p:root/child::p:list/child::p:item"},
      {"p:root/p:list/p:item/b:note", "child::p:root/child::p:list/child::p:item/child::b:note"},
      {"p:root/p:list/p:item/b:note/b:em", "child::p:root/child::p:list/child::p:item/child::b:note/child::b:em"},
      {"p:root/d:plain", "child::p:root/child::d:plain"},
      {"p:root/plain", "child::p:root/child::plain"},
      {"p:root/p:bare/plain", "child::p:root/child::p:bare/child::plain"},
      {"p:root/p:dashed-name.x", "child::p:root/child::p:dashed-name.x"},
      {"p:root/p:missing/b:note", "child::p:root/child::p:missing/child::b:note"},
      {"root", "child::root"},
      {"/p:root/p:list/p:item/b:note", "/child::p:root/child::p:list/child::p:item/child::b:note"},
      {"/p:root/d:plain", "/child::p:root/child::d:plain"},
      {"/p:list", "/child::p:list"},
      {"b:note", "child::b:note"},
      {"b:note/b:em", "child::b:note/child::b:em"},
  };
  // The first list's first item: relative paths start from it, absolute ones from the document.
  const xmlNodePtr nested = xmlFirstElementChild(xmlFirstElementChild(doc->root()));
  const std::vector<xmlNodePtr> contexts = {XPath::document_node(*doc), doc->root(), nested};
  const char* context_names[] = {"the document", "the root element", "the first item"};
  for (std::size_t c = 0; c < contexts.size(); ++c) {
    const xmlNodePtr context = contexts[c];
    for (const auto& [walked, evaluated] : cases) {
      INFO(walked << " from " << context_names[c]);
      auto fast = XPath::compile(walked);
      auto reference = XPath::compile(evaluated);
      REQUIRE(fast.has_value());
      REQUIRE(reference.has_value());
      CHECK(fast->nodes(context, ns).value() == reference->nodes(context, ns).value());
      CHECK(fast->string(context, ns).value() == reference->string(context, ns).value());
    }
  }
  auto notes = XPath::compile("p:root/p:list/p:item/b:note");
  REQUIRE(notes.has_value());
  const auto found = notes->nodes(XPath::document_node(*doc), ns).value();
  REQUIRE(found.size() == 4);
  CHECK(knutpunkt::xml::text(found[3]) == "fourth");
  CHECK(notes->string(XPath::document_node(*doc), ns).value() == std::optional<std::string>("first note"));
  auto item_notes = XPath::compile("b:note");
  REQUIRE(item_notes.has_value());
  CHECK(item_notes->string(nested, ns).value() == std::optional<std::string>("first note"));

  // An unbound prefix is still libxml2's to report.
  auto unbound = XPath::compile("p:root/q:list");
  REQUIRE(unbound.has_value());
  CHECK(unbound->nodes(XPath::document_node(*doc), ns).error().code == "xpath_invalid");
}
