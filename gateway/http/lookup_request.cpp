#include "http/lookup_request.h"

#include "policy/period.h"
#include "policy/person_id.h"

#include <algorithm>
#include <set>

namespace knutpunkt::http {

namespace {

constexpr std::size_t kMaxTextLength = 200;

bool has_control_characters(const std::string& text) {
  return std::any_of(text.begin(), text.end(), [](char c) { return static_cast<unsigned char>(c) < 0x20 || c == 0x7f; });
}

// Reads a required (or optional) string field, recording what is wrong with it.
std::string read_text(const nlohmann::json& object, const std::string& key, const std::string& name, bool required,
                      std::vector<InvalidParam>& invalid) {
  auto it = object.find(key);
  if (it == object.end() || it->is_null()) {
    if (required) invalid.push_back({name, "missing", "is required"});
    return {};
  }
  if (!it->is_string()) {
    invalid.push_back({name, "not_a_string", "must be a string"});
    return {};
  }
  std::string text = it->get<std::string>();
  if (required && text.empty()) {
    invalid.push_back({name, "empty", "must not be empty"});
  } else if (text.size() > kMaxTextLength) {
    invalid.push_back({name, "too_long", "must be at most 200 characters"});
  } else if (has_control_characters(text)) {
    invalid.push_back({name, "control_characters", "must not contain control characters"});
  }
  return text;
}

// Unknown fields are refused, not ignored: a misspelt "sources" must not silently mean something else.
void refuse_unknown_fields(const nlohmann::json& object, const std::string& prefix, const std::set<std::string>& known,
                           std::vector<InvalidParam>& invalid) {
  for (const auto& [key, value] : object.items()) {
    if (!known.contains(key)) invalid.push_back({prefix + key, "unknown_field", "is not a known field"});
  }
}

}  // namespace

LookupRequestParse parse_lookup_request(const nlohmann::json& body, const std::vector<std::string>& known_sources,
                                        std::chrono::year_month_day today) {
  LookupRequestParse parse;
  auto& invalid = parse.invalid;
  auto& query = parse.request.query;
  if (!body.is_object()) {
    invalid.push_back({"", "not_an_object", "the request body must be a JSON object"});
    return parse;
  }

  refuse_unknown_fields(body, "", {"person", "case_id", "purpose", "legal_basis", "period", "sources", "caseworker"}, invalid);

  std::string person = read_text(body, "person", "person", true, invalid);
  parse.request.person_as_given = person;
  if (!person.empty() && person.size() <= kMaxTextLength) {
    if (auto id = policy::parse_person_id(person, today)) {
      query.person_id = id->digits;
      query.id_kind = std::string(policy::to_string(id->kind));
    } else {
      invalid.push_back({"person", id.error().code, id.error().reason});
    }
  }

  query.case_id = read_text(body, "case_id", "case_id", true, invalid);
  query.purpose = read_text(body, "purpose", "purpose", true, invalid);
  query.legal_basis = read_text(body, "legal_basis", "legal_basis", true, invalid);

  auto period = body.find("period");
  if (period == body.end() || !period->is_object()) {
    invalid.push_back({"period", period == body.end() ? "missing" : "not_an_object",
                       "is required as an object with from and to dates"});
  } else {
    refuse_unknown_fields(*period, "period.", {"from", "to"}, invalid);
    std::size_t before = invalid.size();
    std::string from = read_text(*period, "from", "period.from", true, invalid);
    std::string to = read_text(*period, "to", "period.to", true, invalid);
    if (invalid.size() == before) {
      if (auto parsed = policy::parse_period(from, to)) {
        query.period_from = parsed->from_text;
        query.period_to = parsed->to_text;
      } else {
        invalid.push_back({"period." + parsed.error().field, parsed.error().code, parsed.error().reason});
      }
    }
  }

  auto sources = body.find("sources");
  if (sources == body.end() || !sources->is_array() || sources->empty()) {
    invalid.push_back({"sources", sources == body.end() ? "missing" : "invalid",
                       "is required as a non-empty array of source codes"});
  } else {
    std::set<std::string> seen;
    for (std::size_t i = 0; i < sources->size(); ++i) {
      const auto& item = (*sources)[i];
      std::string name = "sources[" + std::to_string(i) + "]";
      if (!item.is_string()) {
        invalid.push_back({name, "not_a_string", "must be a source code string"});
        continue;
      }
      std::string code = item.get<std::string>();
      if (std::find(known_sources.begin(), known_sources.end(), code) == known_sources.end()) {
        invalid.push_back({name, "unknown_source", "is not a source this adapter serves"});
      } else if (!seen.insert(code).second) {
        invalid.push_back({name, "duplicate_source", "is listed more than once"});
      } else {
        parse.request.sources.push_back(code);
      }
    }
  }

  auto caseworker = body.find("caseworker");
  if (caseworker == body.end() || !caseworker->is_object()) {
    invalid.push_back({"caseworker", caseworker == body.end() ? "missing" : "not_an_object",
                       "is required as an object with the caseworker's id"});
  } else {
    refuse_unknown_fields(*caseworker, "caseworker.", {"id", "unit"}, invalid);
    query.caseworker.id = read_text(*caseworker, "id", "caseworker.id", true, invalid);
    query.caseworker.unit = read_text(*caseworker, "unit", "caseworker.unit", false, invalid);
  }
  return parse;
}

}  // namespace knutpunkt::http
