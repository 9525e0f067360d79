#include "http/lookup_request.h"

#include "http/request_fields.h"

#include "policy/period.h"
#include "policy/person_id.h"

#include <algorithm>
#include <set>

namespace knutpunkt::http {

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

  if (auto period = read_period(body, invalid)) {
    query.period_from = period->from;
    query.period_to = period->to;
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

  query.caseworker = read_caseworker(body, invalid);
  return parse;
}

}  // namespace knutpunkt::http
