#pragma once
// Routes as data: each route is a method, a path pattern and a handler. The table matches a
// request once, answers 404 for a path no route has and 405 with `Allow` for a method none of the
// path's routes takes, and can be listed (`knutpunkt routes --json`), so the published API
// contract is checked against what is really served rather than against the code's text.
//
// Patterns: literal segments, "{name}" (one segment that is an identifier: letters, digits, '-'
// and '_', 1 to 64 characters; paths carry adapter names, UUIDs and case ids, anything else names
// nothing), and a last "{name*}" (the rest of the path, possibly empty, e.g. a file of the console).
#include <boost/beast/http/verb.hpp>
#include <functional>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "http/message.h"

namespace knutpunkt::http {

class PathParams {
 public:
  // The value of a "{name}" of the matched pattern; every name the pattern has is present.
  const std::string& at(const std::string& name) const { return values_.at(name); }
  void set(std::string name, std::string value) { values_[std::move(name)] = std::move(value); }

 private:
  std::map<std::string, std::string> values_;
};

using RouteHandler = std::function<void(Request&&, const RequestContext&, const PathParams&, Reply)>;

// Whether a route belongs to the published API (schemas/openapi.yaml) or to the auditors' web
// console, whose pages are not an API.
enum class RouteAudience { api, console };

class RouteTable {
 public:
  // Throws std::logic_error for a malformed pattern or a route added twice: a programming error
  // found when the gateway starts, not a request-time condition.
  void add(boost::beast::http::verb method, std::string pattern, RouteHandler handler,
           RouteAudience audience = RouteAudience::api);

  // Calls the matching route's handler, or answers 404 / 405 itself. `reply` exactly once.
  void dispatch(Request&& request, const RequestContext& context, Reply reply) const;

  // [{"method": "GET", "path": "/v1/cases/{case_id}", "audience": "api"}, ...] in the order added.
  nlohmann::json to_json() const;

 private:
  struct Segment {
    enum class Kind { literal, param, rest } kind = Kind::literal;
    std::string text;  // the literal, or the parameter's name
  };
  struct Route {
    boost::beast::http::verb method;
    std::string pattern;
    std::vector<Segment> segments;
    RouteHandler handler;
    RouteAudience audience;
  };

  static bool matches(const Route& route, std::string_view path, PathParams* params);

  std::vector<Route> routes_;
};

// The path of a request target, without its query.
std::string_view path_of(std::string_view target);

}  // namespace knutpunkt::http
