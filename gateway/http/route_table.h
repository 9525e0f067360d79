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
#include <variant>
#include <vector>

#include "http/exchange.h"
#include "http/guard.h"
#include "http/message.h"
#include "http/path_params.h"
#include "http/problem.h"

namespace knutpunkt::http {

// Runs after the guard admitted the caller; answers through the exchange.
using RouteHandler = std::function<void(Exchange)>;

// Whether a route belongs to the published API (schemas/openapi.yaml) or to the auditors' web
// console, whose pages are not an API.
enum class RouteAudience { api, console };

struct Route {
  boost::beast::http::verb method;
  std::string pattern;
  Guard guard;
  std::string refused_as;  // the audit kind of the route's refusals, e.g. "case.refused"
  RouteHandler handler;
  RefusalRecorder recorder = {};  // instead of the generic audited refusal
  RouteAudience audience = RouteAudience::api;
};

class RouteTable {
 public:
  struct Match {
    const Route* route = nullptr;
    const ExchangeRules* rules = nullptr;
    PathParams params;
    std::size_t index = 0;  // the route's place in the table, in the order added
  };

  // Throws std::logic_error for a malformed pattern or a route added twice: a programming error
  // found when the gateway starts, not a request-time condition.
  void add(Route route);

  // The route a request is for, or the answer when there is none: 404 for a path no route has,
  // 405 with `Allow` for a method none of the path's routes takes.
  std::variant<Match, Response> match(boost::beast::http::verb method, std::string_view target) const;

  // [{"method": "GET", "path": "/v1/cases/{case_id}", "audience": "api", "guard": {...},
  //   "refused_as": "case.refused"}, ...] in the order added.
  nlohmann::json to_json() const;

  std::size_t size() const { return routes_.size(); }
  // The route at `index` (< size()), in the order added.
  const Route& at(std::size_t index) const { return routes_.at(index).route; }

 private:
  struct Segment {
    enum class Kind { literal, param, rest } kind = Kind::literal;
    std::string text;  // the literal, or the parameter's name
  };
  struct Entry {
    Route route;
    std::vector<Segment> segments;
    ExchangeRules rules;
  };

  static bool matches(const Entry& entry, std::string_view path, PathParams* params);

  std::vector<Entry> routes_;
};

// The path of a request target, without its query.
std::string_view path_of(std::string_view target);

}  // namespace knutpunkt::http
