#include "http/route_table.h"

#include <algorithm>
#include <cctype>
#include <set>
#include <stdexcept>

#include "http/problem.h"

namespace knutpunkt::http {

namespace bhttp = boost::beast::http;

namespace {

bool is_identifier(std::string_view name) {
  if (name.empty() || name.size() > 64) return false;
  return std::all_of(name.begin(), name.end(),
                     [](char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_'; });
}

// "/a/b/c" -> {"a", "b", "c"}; "/" -> {""}; "/a/" -> {"a", ""}.
std::vector<std::string_view> split(std::string_view path) {
  std::vector<std::string_view> parts;
  if (!path.starts_with('/')) return parts;
  std::size_t start = 1;
  while (true) {
    const std::size_t slash = path.find('/', start);
    parts.push_back(path.substr(start, slash == std::string_view::npos ? std::string_view::npos : slash - start));
    if (slash == std::string_view::npos) return parts;
    start = slash + 1;
  }
}

}  // namespace

std::string_view path_of(std::string_view target) {
  return target.substr(0, target.find('?'));
}

void RouteTable::add(Route route) {
  const std::string& pattern = route.pattern;
  const auto parts = split(pattern);
  if (parts.empty()) throw std::logic_error("route pattern must start with '/': " + pattern);
  Entry entry;
  for (std::size_t i = 0; i < parts.size(); ++i) {
    const std::string_view part = parts[i];
    Segment segment;
    if (part.starts_with('{') && part.ends_with('}')) {
      std::string_view name = part.substr(1, part.size() - 2);
      segment.kind = Segment::Kind::param;
      if (name.ends_with('*')) {
        if (i + 1 != parts.size()) throw std::logic_error("a {name*} must be last: " + pattern);
        segment.kind = Segment::Kind::rest;
        name.remove_suffix(1);
      }
      if (!is_identifier(name)) throw std::logic_error("bad parameter name in " + pattern);
      segment.text = std::string(name);
    } else {
      segment.text = std::string(part);
    }
    entry.segments.push_back(std::move(segment));
  }
  for (const Entry& existing : routes_) {
    if (existing.route.method == route.method && existing.route.pattern == pattern)
      throw std::logic_error("route added twice: " + pattern);
  }
  if (route.guard.authenticates() && route.refused_as.empty() && !route.recorder) {
    throw std::logic_error("a guarded route needs a refusal kind: " + pattern);
  }
  if (route.guard.caller == Guard::Caller::partner &&
      std::none_of(entry.segments.begin(), entry.segments.end(), [&](const Segment& s) {
        return s.kind == Segment::Kind::param && s.text == route.guard.param;
      })) {
    throw std::logic_error("a partner guard names a path parameter the pattern lacks: " + pattern);
  }
  entry.rules = {std::string(bhttp::to_string(route.method)) + " " + pattern, route.refused_as, route.recorder};
  entry.route = std::move(route);
  routes_.push_back(std::move(entry));
}

bool RouteTable::matches(const Entry& entry, std::string_view path, PathParams* params) {
  const auto parts = split(path);
  std::size_t i = 0;
  for (const Segment& segment : entry.segments) {
    if (segment.kind == Segment::Kind::rest) {
      if (i >= parts.size()) return false;
      // The rest of the path as it came, slashes included.
      const std::size_t offset = static_cast<std::size_t>(parts[i].data() - path.data());
      if (params != nullptr) params->set(segment.text, std::string(path.substr(offset)));
      return true;
    }
    if (i >= parts.size()) return false;
    if (segment.kind == Segment::Kind::literal) {
      if (parts[i] != segment.text) return false;
    } else {
      if (!is_identifier(parts[i])) return false;
      if (params != nullptr) params->set(segment.text, std::string(parts[i]));
    }
    ++i;
  }
  return i == parts.size();
}

std::variant<RouteTable::Match, Response> RouteTable::match(bhttp::verb method, std::string_view target) const {
  const std::string_view path = path_of(target);
  std::set<std::string> allowed;
  for (std::size_t index = 0; index < routes_.size(); ++index) {
    const Entry& entry = routes_[index];
    if (!matches(entry, path, nullptr)) continue;
    if (entry.route.method != method) {
      allowed.insert(std::string(bhttp::to_string(entry.route.method)));
      continue;
    }
    Match found{&entry.route, &entry.rules, {}, index};
    matches(entry, path, &found.params);
    return found;
  }
  if (allowed.empty()) return make_problem_response({404, "not_found", "Not found", "no such resource", {}, {}});
  std::string allow;
  for (const auto& m : allowed) allow += (allow.empty() ? "" : ", ") + m;
  Response response = make_problem_response({405, "method_not_allowed", "Method not allowed", {}, {}, {}});
  response.set(bhttp::field::allow, allow);
  return response;
}

nlohmann::json RouteTable::to_json() const {
  static constexpr const char* kCallers[] = {"anyone", "signed_in", "role", "partner"};
  nlohmann::json out = nlohmann::json::array();
  for (const Entry& entry : routes_) {
    const Route& route = entry.route;
    nlohmann::json guard = {{"caller", kCallers[static_cast<int>(route.guard.caller)]}};
    if (!route.guard.role.empty()) guard["role"] = route.guard.role;
    if (!route.guard.param.empty()) guard["partner_param"] = route.guard.param;
    nlohmann::json row = {{"method", std::string(bhttp::to_string(route.method))},
                          {"path", route.pattern},
                          {"audience", route.audience == RouteAudience::api ? "api" : "console"},
                          {"guard", guard}};
    if (!route.refused_as.empty()) row["refused_as"] = route.refused_as;
    out.push_back(std::move(row));
  }
  return out;
}

}  // namespace knutpunkt::http
