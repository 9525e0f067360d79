// SSBTEK's reply reader promises tolerance: prefixes are the sender's choice, a SOAP Header may
// come, unknown elements are ignored, optional and echoed elements may be missing, layout and
// encoding are the serialiser's. Each fixture reply (tests/fixtures/ssbtek/ and its production/
// folder, whatever response-*.xml files are there when the test runs) is rewritten in every such
// form, and each form must give exactly the facts of the plain reply for every source in it.
// Deviations may differ, but never quote a value the reply carried.
#include <algorithm>
#include <catch2/catch.hpp>
#include <cctype>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "reply_reader.h"
#include "reply_variants.h"
#include "ssbtek_sources.h"
#include "xml/document.h"

namespace {

using namespace knutpunkt;
namespace fs = std::filesystem;
namespace mutation = ssbtek::mutation;

// Change it to explore; a failure prints the seed of the case it failed on.
constexpr std::uint32_t kSeed = 20260801;
constexpr int kRandomCombinations = 4;

fs::path repo_path(const std::string& relative) {
  return fs::path(KNUTPUNKT_REPO_ROOT) / relative;
}

const ssbtek::ReplyReader& reader() {
  static const ssbtek::ReplyReader loaded = [] {
    auto r = ssbtek::ReplyReader::load(repo_path("schemas/ssbtek/ssbtek-v10.xsd"), repo_path("mappings/ssbtek"));
    if (!r) FAIL("the reply reader does not load: " << r.error());
    return std::move(*r);
  }();
  return loaded;
}

struct Fixture {
  std::string name;  // relative to tests/fixtures/ssbtek
  std::string reply;
  std::vector<std::string> sources;  // those the reply answers for, in SSBTEK's order
};

std::string read_file(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

// The sources under svarsdata; every source when there is none (a SOAP Fault fails them all).
std::vector<std::string> sources_in(const std::string& reply) {
  std::vector<std::string> all(ssbtek::kSources.begin(), ssbtek::kSources.end());
  auto doc = xml::Document::parse(reply);
  if (!doc) return all;
  std::set<std::string> present;
  std::vector<xmlNodePtr> stack{doc->root()};
  while (!stack.empty()) {
    xmlNodePtr n = stack.back();
    stack.pop_back();
    for (xmlNodePtr c = n->children; c != nullptr; c = c->next) {
      if (c->type != XML_ELEMENT_NODE) continue;
      if (xml::local_name(n) == "svarsdata" && ssbtek::is_ssbtek_namespace(xml::namespace_uri(n))) {
        present.insert(xml::local_name(c));
      } else {
        stack.push_back(c);
      }
    }
  }
  if (present.empty()) return all;
  std::erase_if(all, [&](const std::string& s) { return present.count(s) == 0; });
  return all;
}

std::vector<Fixture> fixtures() {
  std::vector<Fixture> out;
  const fs::path root = repo_path("tests/fixtures/ssbtek");
  for (const fs::path& folder : {root, root / "production"}) {
    std::error_code ec;
    if (!fs::is_directory(folder, ec)) continue;
    for (const auto& entry : fs::directory_iterator(folder)) {
      const std::string file = entry.path().filename().string();
      if (!entry.is_regular_file() || !file.starts_with("response-") || !file.ends_with(".xml")) continue;
      Fixture f{fs::relative(entry.path(), root).string(), read_file(entry.path()), {}};
      f.sources = sources_in(f.reply);
      out.push_back(std::move(f));
    }
  }
  std::ranges::sort(out, {}, &Fixture::name);
  return out;
}

std::vector<SourceOutcome> read(const std::string& body, const std::string& content_type,
                                const std::vector<std::string>& sources) {
  const net::HttpResult result = net::HttpResponse{200, content_type, {}, body};
  return reader().read(result, sources);
}

// Everything a caseworker gets from a source, deviations and timing aside.
nlohmann::json facts_of(const SourceOutcome& o) {
  nlohmann::json events = nlohmann::json::array();
  for (const CaseEvent& e : o.events) {
    events.push_back({{"type", e.type}, {"occurred_at", e.occurred_at}, {"facts", e.facts}});
  }
  return {{"source", o.source},
          {"status", std::string(to_string(o.status))},
          {"partner_code", o.partner_code},
          {"partner_message", o.partner_message},
          {"protected_identity", o.protected_identity},
          {"contract_version", o.contract_version},
          {"events", events}};
}

// Every fact value as the text it would be quoted as; shorter ones match too much by chance.
std::set<std::string> fact_texts(const std::vector<SourceOutcome>& outcomes) {
  std::set<std::string> texts;
  for (const SourceOutcome& o : outcomes) {
    for (const CaseEvent& e : o.events) {
      for (const auto& [name, value] : e.facts.items()) {
        if (value.is_boolean() || value.is_null()) continue;
        std::string text = value.is_string() ? value.get<std::string>() : value.dump();
        if (text.size() >= 4) texts.insert(std::move(text));
      }
    }
  }
  return texts;
}

bool word_character(char c) {
  const auto b = static_cast<unsigned char>(c);
  return b >= 0x80 || std::isalnum(b) != 0;
}

// The value as a word of its own: "Utbetald" (a payment status) is not quoted by a message that
// names the element Utbetaldatider.
bool quotes(std::string_view text, std::string_view value) {
  for (auto at = text.find(value); at != std::string_view::npos; at = text.find(value, at + 1)) {
    const bool starts = at == 0 || !word_character(text[at - 1]);
    const bool ends = at + value.size() == text.size() || !word_character(text[at + value.size()]);
    if (starts && ends) return true;
  }
  return false;
}

// A partner_reported deviation is the partner's own record, copied field by field as its mapping
// lists them (codes and descriptions); the rule is about departures the reader describes. Their
// path is made of element names (xml::element_path), which no value can become.
void require_no_quoted_values(const SourceOutcome& o, const std::set<std::string>& texts) {
  for (const nlohmann::json& deviation : o.deviations) {
    if (deviation.value("kind", "") == "partner_reported") continue;
    for (const auto& [field, value] : deviation.items()) {
      if (field == "path" || !value.is_string()) continue;
      for (const std::string& t : texts) {
        INFO("deviation " << deviation.dump() << " quotes the fact value '" << t << "'");
        CHECK_FALSE(quotes(value.get<std::string>(), t));
      }
    }
  }
}

std::uint32_t seed_for(const std::string& fixture, const std::string& variant) {
  std::uint32_t hash = 2166136261u;  // FNV-1a: the same in every build, unlike std::hash
  for (char c : fixture + "/" + variant) hash = (hash ^ static_cast<unsigned char>(c)) * 16777619u;
  return hash ^ kSeed;
}

struct Plain {
  std::vector<SourceOutcome> outcomes;
  std::set<std::string> texts;
};

Plain plain_reading(const Fixture& f) {
  Plain plain{read(f.reply, "text/xml; charset=utf-8", f.sources), {}};
  plain.texts = fact_texts(plain.outcomes);
  for (const SourceOutcome& o : plain.outcomes) require_no_quoted_values(o, plain.texts);
  return plain;
}

// Whether the variant ran (it applies to this fixture); every difference is reported by Catch.
bool check_variant(const Fixture& f, const Plain& plain, const mutation::Variant& variant) {
  const std::uint32_t seed = seed_for(f.name, variant.name);
  INFO("fixture " << f.name << ", variant " << variant.name << ", seed " << seed);
  const auto rendered = mutation::render(f.reply, variant, seed);
  if (!rendered) return false;
  const auto got = read(rendered->body, rendered->content_type, f.sources);
  REQUIRE(got.size() == plain.outcomes.size());
  for (std::size_t i = 0; i < got.size(); ++i) {
    INFO("source " << f.sources[i]);
    CHECK(facts_of(got[i]).dump(2) == facts_of(plain.outcomes[i]).dump(2));
    require_no_quoted_values(got[i], plain.texts);
  }
  return true;
}

}  // namespace

TEST_CASE("every form a conforming sender may give a reply yields exactly the facts of the plain reply") {
  const auto started = std::chrono::steady_clock::now();
  const auto all = fixtures();
  REQUIRE_FALSE(all.empty());
  const auto variants = mutation::all_variants(kSeed, kRandomCombinations);
  std::size_t ran = 0;
  std::size_t not_applicable = 0;
  for (const Fixture& f : all) {
    const Plain plain = plain_reading(f);
    for (const auto& variant : variants) {
      if (check_variant(f, plain, variant)) {
        ++ran;
      } else {
        ++not_applicable;
      }
    }
  }
  const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - started);
  std::printf("ssbtek mutation: %zu fixtures x %zu variants: %zu read, %zu not applicable, %lld ms\n", all.size(),
              variants.size(), ran, not_applicable, static_cast<long long>(ms.count()));
  CHECK(ran > all.size() * 10);
}

TEST_CASE("an unknown element in one source's data leaves every other source's deviations as they were") {
  for (const Fixture& f : fixtures()) {
    if (f.sources.size() < 2) continue;
    const Plain plain = plain_reading(f);
    for (std::size_t changed = 0; changed < f.sources.size(); ++changed) {
      INFO("fixture " << f.name << ", unknown element in " << f.sources[changed] << "'s data");
      const auto rendered = mutation::with_unknown_element_in_data(f.reply, f.sources[changed]);
      if (!rendered) continue;
      const auto got = read(rendered->body, rendered->content_type, f.sources);
      for (std::size_t i = 0; i < got.size(); ++i) {
        INFO("source " << f.sources[i]);
        CHECK(facts_of(got[i]).dump(2) == facts_of(plain.outcomes[i]).dump(2));
        if (i != changed) CHECK(got[i].deviations == plain.outcomes[i].deviations);
      }
    }
  }
}

// An element a newer version of the source added shows, on that source, as unexpected.
TEST_CASE("an unknown element in a source's data is that source's deviation") {
  for (const Fixture& f : fixtures()) {
    const Plain plain = plain_reading(f);
    for (std::size_t i = 0; i < f.sources.size(); ++i) {
      if (plain.outcomes[i].status != SourceStatus::ok) continue;
      INFO("fixture " << f.name << ", unknown element in " << f.sources[i] << "'s data");
      const auto rendered = mutation::with_unknown_element_in_data(f.reply, f.sources[i]);
      if (!rendered) continue;
      const auto got = read(rendered->body, rendered->content_type, f.sources);
      const auto& before = plain.outcomes[i].deviations;
      const auto& after = got[i].deviations;
      const auto added = std::ranges::count_if(after, [&](const nlohmann::json& d) {
        return std::ranges::find(before, d) == before.end() && d.value("kind", "") == "unexpected_element";
      });
      CAPTURE(nlohmann::json(after).dump());
      CHECK(added >= 1);
    }
  }
}

TEST_CASE("the check for quoted values finds a value as a word, not inside an element name") {
  CHECK(quotes("Element 'fornamn': 'Tolvansson' is not a valid value", "Tolvansson"));
  CHECK(quotes("Aktivitetsstöd", "Aktivitetsstöd"));
  CHECK_FALSE(quotes("Expected is ( {http://schema.csn.se/v4.0/csntyper}Utbetaldatider )", "Utbetald"));
  CHECK_FALSE(quotes("Arbetslöshetskassan", "Arbetslös"));
}

TEST_CASE("a TLS failure leaves every asked source unavailable with the reason for the audit record and the caller") {
  const net::HttpResult failed(std::unexpect,
                               net::TransportError{net::TransportErrorKind::tls_failed,
                                                   "TLS with ssbtek.example:443 failed: certificate has expired"});
  const auto outcomes = reader().read(failed, {"AF", "FK"});
  REQUIRE(outcomes.size() == 2);
  for (const SourceOutcome& o : outcomes) {
    CHECK(o.status == knutpunkt::SourceStatus::unavailable);
    CHECK(o.partner_code == "tls_failed");
    CHECK_THAT(o.partner_message, Catch::Contains("certificate has expired"));
  }
}

// The gateway reads replies on several io threads at once, each reusing its XPath and validation
// contexts: every reply must read exactly as it reads alone, deviations included.
TEST_CASE("replies read on several threads at once each read as they read alone") {
  struct Case {
    std::string body;
    std::string content_type;
    std::vector<std::string> sources;
    std::string alone;  // facts and deviations of every source, read on this thread alone
  };
  auto reading = [](const std::vector<SourceOutcome>& outcomes) {
    nlohmann::json out = nlohmann::json::array();
    for (const SourceOutcome& o : outcomes) out.push_back({{"facts", facts_of(o)}, {"deviations", o.deviations}});
    return out.dump();
  };
  std::vector<Case> cases;
  for (const Fixture& f : fixtures()) {
    cases.push_back(
        {f.reply, "text/xml; charset=utf-8", f.sources, reading(read(f.reply, "text/xml; charset=utf-8", f.sources))});
    // The same reply with an unknown element in one source: deviations that differ by reply.
    if (auto changed = mutation::with_unknown_element_in_data(f.reply, f.sources.front())) {
      cases.push_back({changed->body, changed->content_type, f.sources,
                       reading(read(changed->body, changed->content_type, f.sources))});
    }
  }
  REQUIRE(cases.size() > 10);
  constexpr int kThreads = 4;
  constexpr int kRounds = 3;
  std::vector<std::size_t> wrong(kThreads, 0), read_count(kThreads, 0);
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int round = 0; round < kRounds; ++round) {
        for (std::size_t k = 0; k < cases.size(); ++k) {
          // Each thread starts elsewhere, so different replies are read at the same moment.
          const Case& c = cases[(k + static_cast<std::size_t>(t) * 7) % cases.size()];
          if (reading(read(c.body, c.content_type, c.sources)) != c.alone) ++wrong[t];
          ++read_count[t];
        }
      }
    });
  }
  for (auto& th : threads) th.join();
  for (int t = 0; t < kThreads; ++t) {
    CHECK(read_count[t] == cases.size() * kRounds);
    CHECK(wrong[t] == 0);
  }
}
