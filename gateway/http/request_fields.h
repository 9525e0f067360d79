#pragma once
// Readers for fields of a JSON request body that record every problem, each naming its field.
#include <nlohmann/json.hpp>

#include <chrono>
#include <functional>
#include <map>
#include <optional>
#include <string_view>
#include <set>
#include <string>
#include <vector>

#include "core/lookup_types.h"
#include "http/message.h"
#include "http/problem.h"

namespace knutpunkt::http {

inline constexpr std::size_t kMaxTextLength = 200;

// A required (or optional) string of at most `max_length` characters without control characters
// (C0, DEL, C1: policy/identifier.h).
std::string read_text(const nlohmann::json& object, const std::string& key, const std::string& name, bool required,
                      std::vector<InvalidParam>& invalid, std::size_t max_length = kMaxTextLength);

// An identifier taken from the path or the query (a case id, a consent id): not empty, at most
// `max_length` bytes, no control characters; false with the problem recorded under `name`.
bool valid_identifier(const std::string& text, const std::string& name, std::vector<InvalidParam>& invalid,
                      std::size_t max_length = 64);

// An integer in [min, max]; nullopt when absent or wrong (then recorded when required or wrong).
std::optional<long long> read_integer(const nlohmann::json& object, const std::string& key, const std::string& name,
                                      bool required, long long min, long long max, std::vector<InvalidParam>& invalid);

// A string that must be one of `codes` (a named code list).
std::string read_code(const nlohmann::json& object, const std::string& key, const std::string& name, bool required,
                      const std::set<std::string>& codes, std::vector<InvalidParam>& invalid);

// A calendar date YYYY-MM-DD that exists.
std::string read_date(const nlohmann::json& object, const std::string& key, const std::string& name, bool required,
                      std::vector<InvalidParam>& invalid);

// Content-Type is application/json (parameters such as charset allowed).
bool is_json(const Request& request);

// The query string's parameters, percent-decoded; nullopt when it is malformed.
std::optional<std::map<std::string, std::string>> query_parameters(std::string_view target);

// A JSON object body, or nullopt after `refuse` was called with 415 (not application/json) or 400
// (not a JSON object). Every endpoint that takes a JSON object reads it this way.
std::optional<nlohmann::json> read_json_object(const Request& request, const std::function<void(Problem)>& refuse);

// A required personnummer or samordningsnummer in any accepted form, normalised (12 digits and
// its kind); nullopt with the problem recorded under `name`.
struct PersonField {
  std::string digits;
  std::string kind;  // "personnummer" | "samordningsnummer"
};
std::optional<PersonField> read_person_id(const nlohmann::json& object, const std::string& key, const std::string& name,
                                          std::chrono::year_month_day today, std::vector<InvalidParam>& invalid);

// A required "period": {"from", "to"} of strict dates, from <= to, within the edge's cap (each
// partner's own limit is the policy step's); nullopt with each problem named "period.*".
struct PeriodField {
  std::string from;
  std::string to;
};
std::optional<PeriodField> read_period(const nlohmann::json& object, std::vector<InvalidParam>& invalid);

// A required "caseworker": {"id", "unit"?} (the handläggare acting; unit optional).
Caseworker read_caseworker(const nlohmann::json& object, std::vector<InvalidParam>& invalid);

// An optional boolean; `fallback` when absent, recorded as a problem when not a boolean.
bool read_flag(const nlohmann::json& object, const std::string& key, bool fallback, std::vector<InvalidParam>& invalid);

// Unknown fields are refused, not ignored: a misspelt field must not silently mean something else.
void refuse_unknown_fields(const nlohmann::json& object, const std::string& prefix, const std::set<std::string>& known,
                           std::vector<InvalidParam>& invalid);

}  // namespace knutpunkt::http
