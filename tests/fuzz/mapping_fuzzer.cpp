// The mapping engine on partner data: every production mapping applied to the input, the JSON-input
// mappings (Arbetsförmedlingen, Försäkringskassan, Jobbtorg) when it is JSON and the XML mappings
// (SSBTEK's sources, with their base64 and text-embedded payloads) when it is XML; the outbound
// templates rendered from it; and the engine's own readers (value forms, base64, paths) on the text.
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "fuzz_support.h"
#include "mapping/base64.h"
#include "mapping/json_path.h"
#include "mapping/outbound_template.h"
#include "mapping/values.h"
#include "xml/document.h"

namespace {

using namespace knutpunkt;
using namespace knutpunkt::mapping;

struct Engine {
  std::vector<Mapping> json_mappings;
  std::vector<Mapping> xml_mappings;
  std::vector<OutboundTemplate> templates;
};

const Engine& engine() {
  static const Engine loaded = [] {
    Engine e;
    for (const char* dir : {"mappings/arbetsformedlingen", "mappings/forsakringskassan", "mappings/jobbtorg",
                            "mappings/ssbtek"}) {
      for (auto& [name, m] : fuzz::load_mappings(dir)) (m.json_input() ? e.json_mappings : e.xml_mappings).push_back(m);
      auto templates = load_outbound_templates(fuzz::repo_path(dir));
      if (!templates) fuzz::setup_failed(templates.error().where + ": " + templates.error().message);
      for (auto& [name, t] : *templates) e.templates.push_back(t);
    }
    return e;
  }();
  return loaded;
}

void check(const std::expected<MappingResult, MappingError>& result) {
  if (!result) {
    fuzz::require_utf8({{"code", result.error().code}, {"where", result.error().where},
                        {"message", result.error().message}, {"field", result.error().field}});
    return;
  }
  for (const MappedEvent& event : result->events) {
    fuzz::require_utf8({{"type", event.type}, {"occurred_at", event.occurred_at}, {"facts", event.facts}});
  }
  fuzz::require_utf8(result->deviations);
}

void value_forms(std::string_view text) {
  (void)values::amount_ore(text);
  (void)values::integer(text);
  (void)values::boolean(text);
  (void)values::date(text);
  (void)values::date_compact(text);
  (void)values::datetime(text);
  (void)values::decimal(text);
  (void)decode_base64(text, 64 * 1024);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  const Engine& e = engine();
  value_forms(text);

  // As map_json_reply does: depth first, so the recursive parser never meets a hostile nesting.
  const ApplyLimits limits;
  if (json_nesting_depth(text) <= limits.max_json_depth) {
    const auto message = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
    if (!message.is_discarded()) {
      for (const Mapping& m : e.json_mappings) check(m.apply(message, limits));
      for (const OutboundTemplate& t : e.templates) {
        if (auto rendered = t.render(message)) fuzz::require_utf8(*rendered);
      }
      // {"path": "...", "in": ...}: a path of the mapping language followed over a document.
      if (message.is_object() && message.contains("path") && message["path"].is_string() && message.contains("in")) {
        if (auto path = JsonPath::compile(message["path"].get<std::string>())) {
          const JsonCursor root{&message["in"]};
          for (const JsonCursor& found : path->select(root)) fuzz::require_utf8(json_pointer(found));
          fuzz::require_utf8(path->pointer_from(root));
        }
      }
      return 0;
    }
  }
  if (auto document = xml::Document::parse(text)) {
    for (const Mapping& m : e.xml_mappings) check(m.apply(*document, limits));
  }
  return 0;
}
