// AF's answers read tolerantly: a member AF's published schema does not name is a deviation of an
// ok answer and changes no fact, and a second version of an AF document is a file beside the first,
// picked by what the answer says it is.
#include <unistd.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>

#include "af_reply.h"
#include "af_sources.h"
#include "af_test_support.h"
#include "mapping/json_vocabulary.h"

namespace af = knutpunkt::arbetsformedlingen;
using knutpunkt::SourceStatus;
using nlohmann::json;

namespace {

knutpunkt::mapping::MappingResult map(const std::string& source, const json& answer) {
  auto result = af_test::mappings().at(source).apply(answer);
  if (!result) FAIL(result.error().code << " at " << result.error().where << " " << result.error().message);
  return *result;
}

json facts(const knutpunkt::mapping::MappingResult& result) {
  json out = json::array();
  for (const auto& event : result.events) out.push_back({event.type, event.occurred_at, event.facts});
  return out;
}

json unknown_field(const std::string& pointer, const std::string& schema) {
  return {{"kind", "unknown_field"}, {"path", pointer}, {"detail", "not in " + schema}};
}

knutpunkt::net::HttpResult ok(const json& body) {
  return knutpunkt::net::HttpResponse{
      .status = 200, .content_type = "application/json", .retry_after = "", .body = body.dump()};
}

// A scratch copy of the repository's layout (mappings/<partner>/ beside schemas/<partner>/),
// removed afterwards.
class ScratchLayout {
 public:
  ScratchLayout() : root_(std::filesystem::temp_directory_path() / ("af-versions-" + std::to_string(::getpid()))) {
    std::filesystem::create_directories(mappings());
    std::filesystem::create_directories(schemas());
  }
  ~ScratchLayout() {
    std::error_code ec;
    std::filesystem::remove_all(root_, ec);
  }
  ScratchLayout(const ScratchLayout&) = delete;
  ScratchLayout& operator=(const ScratchLayout&) = delete;
  std::filesystem::path mappings() const { return root_ / "mappings" / "arbetsformedlingen"; }
  std::filesystem::path schemas() const { return root_ / "schemas" / "arbetsformedlingen"; }
  static void write(const std::filesystem::path& file, const std::string& text) { std::ofstream(file) << text; }
  static void copy(const std::filesystem::path& from, const std::filesystem::path& to_dir) {
    std::filesystem::copy_file(from, to_dir / from.filename(), std::filesystem::copy_options::overwrite_existing);
  }

 private:
  std::filesystem::path root_;
};

}  // namespace

TEST_CASE("every AF fixture uses only members AF's published schemas name") {
  // Every fixture's nested objects and list items are reached through "items": a walk that lost
  // its way there would report members the schema does name.
  for (const auto& source : af::kSources) {
    for (const char* variant : {"", "-nodata", "-protected", "-samordningsnummer", "-swedish"}) {
      const std::string name = std::string(source.code) + variant + ".json";
      INFO(name);
      CHECK(map(std::string(source.code), af_test::fixture(name)).deviations.empty());
    }
  }
}

TEST_CASE("an unknown AF member at the top, in an object or in a list item is one deviation each, facts unchanged") {
  const json plain = af_test::fixture("HANDLINGSPLAN.json");
  const auto expected = facts(map("HANDLINGSPLAN", plain));
  REQUIRE(expected.size() == 3);
  const std::string schema = "handlingsplan.schema.json";

  for (const std::string pointer :
       {"/tolkbehov", "/handlingsplan/handlaggarkontor", "/handlingsplan/planeradeAktiviteter/1/distans",
        "/handlingsplan/planeradeAktiviteter/1/anordnare/organisationsnummer"}) {
    INFO(pointer);
    json answer = plain;
    answer[json::json_pointer(pointer)] = "något nytt";
    const auto result = map("HANDLINGSPLAN", answer);
    CHECK(facts(result) == expected);
    REQUIRE(result.deviations.size() == 1);
    CHECK(result.deviations[0] == unknown_field(pointer, schema));
    CHECK(result.deviations[0].dump().find("något nytt") == std::string::npos);
  }
}

TEST_CASE("an AF answer with unknown members is ok with its deviations in the outcome, for the lookup metrics") {
  json answer = af_test::fixture("INSKRIVNING.json");
  answer["sokandekategori"]["giltigFran"] = "2025-11-03";
  const auto outcome = af::read_af_reply("INSKRIVNING", ok(answer), af_test::mappings().at("INSKRIVNING"), {});
  CHECK(outcome.status == SourceStatus::ok);
  CHECK(outcome.contract_version == "1");
  REQUIRE(outcome.events.size() == 1);
  CHECK(outcome.events[0].facts["job_seeker_category"] == "11");
  REQUIRE(outcome.deviations.size() == 1);
  CHECK(outcome.deviations[0] == unknown_field("/sokandekategori/giltigFran", "inskrivningsstatus.schema.json"));
}

TEST_CASE("a hostile AF answer with thousands of invented members gives at most 64 deviations") {
  json answer = af_test::fixture("INSKRIVNING.json");
  for (int i = 0; i < 5000; ++i) answer["falt" + std::to_string(i)] = i;
  const auto result = map("INSKRIVNING", answer);
  CHECK(result.deviations.size() == 64);
  CHECK(result.events.size() == 1);
}

TEST_CASE("a second version of an AF document is a file beside the first, picked by what the answer says") {
  ScratchLayout dir;
  dir.copy(std::filesystem::path(AF_MAPPINGS_DIR) / "INSKRIVNING.json", dir.mappings());
  dir.copy(std::filesystem::path(AF_SCHEMA_DIR) / "inskrivningsstatus.schema.json", dir.schemas());
  // Version 2 says which it is and renames inskriven; its own schema names its members.
  dir.write(dir.schemas() / "inskrivningsstatus-2.schema.json", R"({
    "type": "object",
    "properties": {"apiVersion": {"const": "2"}, "sekretessmarkering": {"type": "boolean"},
                   "arInskriven": {"type": "boolean"}, "inskrivningsdatum": {"type": "string"}}})");
  dir.write(dir.mappings() / "INSKRIVNING.2.json", R"({
    "mapping": "arbetsformedlingen/INSKRIVNING.2", "version": 1, "payload": "json",
    "contract": {"name": "af-inskrivningsstatus", "version": "2", "schema": "inskrivningsstatus-2.schema.json",
                 "recognised_by": {"path": "/apiVersion", "type": "string", "equals": "2"}},
    "protected_identity": {"path": "/sekretessmarkering", "type": "boolean", "equals": true},
    "events": [{"type": "employment.registration_status", "each": "/",
                "facts": {"registered": {"path": "arInskriven", "type": "boolean", "required": true},
                          "registered_on": {"path": "inskrivningsdatum", "type": "date"}}}]})");
  // Where the registration looks for the schemas.
  CHECK(knutpunkt::mapping::published_schema_dir(dir.mappings()) == dir.schemas());
  auto loaded = knutpunkt::mapping::load_versioned_mappings(dir.mappings(), dir.schemas());
  if (!loaded) FAIL(loaded.error().where + ": " + loaded.error().message);
  REQUIRE(loaded->size() == 1);
  const auto& inskrivning = loaded->at("INSKRIVNING");
  REQUIRE(inskrivning.versions().size() == 2);

  const auto v1 = af::read_af_reply("INSKRIVNING", ok(af_test::fixture("INSKRIVNING.json")), inskrivning, {});
  REQUIRE(v1.status == SourceStatus::ok);
  CHECK(v1.contract_version == "1");
  CHECK(v1.deviations.empty());
  CHECK(v1.events.at(0).facts["registered"] == true);

  const json answer_v2 = {{"apiVersion", "2"},
                          {"sekretessmarkering", false},
                          {"arInskriven", true},
                          {"inskrivningsdatum", "2025-11-03"},
                          {"omfattning", 100}};
  const auto v2 = af::read_af_reply("INSKRIVNING", ok(answer_v2), inskrivning, {});
  REQUIRE(v2.status == SourceStatus::ok);
  CHECK(v2.contract_version == "2");
  CHECK(v2.events.at(0).facts == json{{"registered", true}, {"registered_on", "2025-11-03"}});
  // Checked against version 2's own schema, which has no omfattning.
  REQUIRE(v2.deviations.size() == 1);
  CHECK(v2.deviations[0] == unknown_field("/omfattning", "inskrivningsstatus-2.schema.json"));
}
