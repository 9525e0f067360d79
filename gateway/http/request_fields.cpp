#include "http/request_fields.h"

#include <algorithm>
#include <cctype>
#include <chrono>
#include <cstdio>

#include "policy/identifier.h"
#include "policy/period.h"
#include "policy/person_id.h"

namespace knutpunkt::http {

bool valid_identifier(const std::string& text, const std::string& name, std::vector<InvalidParam>& invalid,
                      std::size_t max_length) {
  if (text.empty()) {
    invalid.push_back({name, "empty", "must not be empty"});
  } else if (text.size() > max_length) {
    invalid.push_back({name, "too_long", "must be at most " + std::to_string(max_length) + " characters"});
  } else if (policy::has_control_character(text)) {
    invalid.push_back({name, "control_characters", "must not contain control characters"});
  } else {
    return true;
  }
  return false;
}

std::string read_text(const nlohmann::json& object, const std::string& key, const std::string& name, bool required,
                      std::vector<InvalidParam>& invalid, std::size_t max_length) {
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
  } else if (text.size() > max_length) {
    invalid.push_back({name, "too_long", "must be at most " + std::to_string(max_length) + " characters"});
  } else if (policy::has_control_character(text)) {
    invalid.push_back({name, "control_characters", "must not contain control characters"});
  }
  return text;
}

std::optional<long long> read_integer(const nlohmann::json& object, const std::string& key, const std::string& name,
                                      bool required, long long min, long long max, std::vector<InvalidParam>& invalid) {
  auto it = object.find(key);
  if (it == object.end() || it->is_null()) {
    if (required) invalid.push_back({name, "missing", "is required"});
    return std::nullopt;
  }
  if (!it->is_number_integer()) {
    invalid.push_back({name, "not_an_integer", "must be an integer"});
    return std::nullopt;
  }
  const long long n = it->get<long long>();
  if (n < min || n > max) {
    invalid.push_back({name, "out_of_range", "must be between " + std::to_string(min) + " and " + std::to_string(max)});
    return std::nullopt;
  }
  return n;
}

std::string read_code(const nlohmann::json& object, const std::string& key, const std::string& name, bool required,
                      const std::set<std::string>& codes, std::vector<InvalidParam>& invalid) {
  const std::size_t before = invalid.size();
  std::string code = read_text(object, key, name, required, invalid);
  if (invalid.size() == before && !code.empty() && !codes.contains(code)) {
    std::string list;
    for (const auto& c : codes) list += (list.empty() ? "" : ", ") + c;
    invalid.push_back({name, "unknown_code", "must be one of " + list});
  }
  return code;
}

std::string read_date(const nlohmann::json& object, const std::string& key, const std::string& name, bool required,
                      std::vector<InvalidParam>& invalid) {
  const std::size_t before = invalid.size();
  std::string text = read_text(object, key, name, required, invalid);
  if (invalid.size() != before || text.empty()) return text;
  int y = 0;
  unsigned m = 0, d = 0;
  char tail = 0;
  // sscanf alone would take signs and leading blanks ("+026-01-01"): every other position must be a digit.
  bool digits = text.size() == 10;
  for (std::size_t i = 0; digits && i < text.size(); ++i) {
    digits = (i == 4 || i == 7) ? text[i] == '-' : std::isdigit(static_cast<unsigned char>(text[i])) != 0;
  }
  const bool shaped = digits && std::sscanf(text.c_str(), "%4d-%2u-%2u%c", &y, &m, &d, &tail) == 3;
  if (!shaped || !std::chrono::year_month_day{std::chrono::year{y}, std::chrono::month{m}, std::chrono::day{d}}.ok()) {
    invalid.push_back({name, "bad_date", "must be a calendar date YYYY-MM-DD"});
  }
  return text;
}

bool is_json(const Request& request) {
  auto type = request[boost::beast::http::field::content_type];
  auto media = type.substr(0, type.find(';'));
  while (!media.empty() && media.back() == ' ') media.remove_suffix(1);
  return boost::beast::iequals(media, "application/json");
}

std::optional<std::map<std::string, std::string>> query_parameters(std::string_view target) {
  std::map<std::string, std::string> out;
  const auto q = target.find('?');
  if (q == std::string_view::npos) return out;
  std::string_view rest = target.substr(q + 1);
  const auto decode = [](std::string_view in) -> std::optional<std::string> {
    std::string s;
    for (std::size_t i = 0; i < in.size(); ++i) {
      if (in[i] == '+') {
        s += ' ';
      } else if (in[i] == '%') {
        if (i + 2 >= in.size() || !std::isxdigit(static_cast<unsigned char>(in[i + 1])) ||
            !std::isxdigit(static_cast<unsigned char>(in[i + 2]))) {
          return std::nullopt;
        }
        s += static_cast<char>(std::stoi(std::string(in.substr(i + 1, 2)), nullptr, 16));
        i += 2;
      } else {
        s += in[i];
      }
    }
    return s;
  };
  while (!rest.empty()) {
    const auto amp = rest.find('&');
    const std::string_view pair = rest.substr(0, amp);
    rest = amp == std::string_view::npos ? std::string_view{} : rest.substr(amp + 1);
    if (pair.empty()) continue;
    const auto eq = pair.find('=');
    auto key = decode(pair.substr(0, eq));
    auto value = decode(eq == std::string_view::npos ? std::string_view{} : pair.substr(eq + 1));
    if (!key || !value) return std::nullopt;
    out[*key] = *value;
  }
  return out;
}

void refuse_unknown_fields(const nlohmann::json& object, const std::string& prefix, const std::set<std::string>& known,
                           std::vector<InvalidParam>& invalid) {
  for (const auto& [key, value] : object.items()) {
    if (!known.contains(key)) invalid.push_back({prefix + key, "unknown_field", "is not a known field"});
  }
}

std::optional<nlohmann::json> read_json_object(const Request& request, const std::function<void(Problem)>& refuse) {
  if (!is_json(request)) {
    refuse({415, "unsupported_media_type", "Unsupported media type", "the request body must be application/json", {}, {}});
    return std::nullopt;
  }
  nlohmann::json body = nlohmann::json::parse(request.body(), nullptr, /*allow_exceptions=*/false);
  if (body.is_discarded() || !body.is_object()) {
    refuse({400, "invalid_json", "Invalid JSON", "the request body must be a JSON object",
            {{"", "invalid_json", "is not a JSON object"}}, {}});
    return std::nullopt;
  }
  return body;
}

std::optional<PersonField> read_person_id(const nlohmann::json& object, const std::string& key, const std::string& name,
                                          std::chrono::year_month_day today, std::vector<InvalidParam>& invalid) {
  const std::size_t before = invalid.size();
  const std::string text = read_text(object, key, name, true, invalid, 16);
  if (invalid.size() != before) return std::nullopt;
  auto id = policy::parse_person_id(text, today);
  if (!id) {
    invalid.push_back({name, id.error().code, id.error().reason});
    return std::nullopt;
  }
  return PersonField{id->digits, std::string(policy::to_string(id->kind))};
}

std::optional<PeriodField> read_period(const nlohmann::json& object, std::vector<InvalidParam>& invalid) {
  auto period = object.find("period");
  if (period == object.end() || !period->is_object()) {
    invalid.push_back({"period", period == object.end() ? "missing" : "not_an_object",
                       "is required as an object with from and to dates"});
    return std::nullopt;
  }
  refuse_unknown_fields(*period, "period.", {"from", "to"}, invalid);
  const std::size_t before = invalid.size();
  const std::string from = read_text(*period, "from", "period.from", true, invalid);
  const std::string to = read_text(*period, "to", "period.to", true, invalid);
  if (invalid.size() != before) return std::nullopt;
  auto parsed = policy::parse_period(from, to);
  if (!parsed) {
    invalid.push_back({"period." + parsed.error().field, parsed.error().code, parsed.error().reason});
    return std::nullopt;
  }
  return PeriodField{parsed->from_text, parsed->to_text};
}

Caseworker read_caseworker(const nlohmann::json& object, std::vector<InvalidParam>& invalid) {
  Caseworker out;
  auto caseworker = object.find("caseworker");
  if (caseworker == object.end() || !caseworker->is_object()) {
    invalid.push_back({"caseworker", caseworker == object.end() ? "missing" : "not_an_object",
                       "is required as an object with the caseworker's id"});
    return out;
  }
  refuse_unknown_fields(*caseworker, "caseworker.", {"id", "unit"}, invalid);
  out.id = read_text(*caseworker, "id", "caseworker.id", true, invalid);
  out.unit = read_text(*caseworker, "unit", "caseworker.unit", false, invalid);
  return out;
}

bool read_flag(const nlohmann::json& object, const std::string& key, bool fallback, std::vector<InvalidParam>& invalid) {
  auto flag = object.find(key);
  if (flag == object.end()) return fallback;
  if (!flag->is_boolean()) {
    invalid.push_back({key, "not_a_boolean", "must be true or false"});
    return fallback;
  }
  return flag->get<bool>();
}

}  // namespace knutpunkt::http
