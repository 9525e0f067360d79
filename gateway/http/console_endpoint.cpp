#include "http/console_endpoint.h"

#include <fstream>
#include <map>
#include <regex>
#include <sstream>

#include "http/problem.h"

namespace knutpunkt::http {

namespace bhttp = boost::beast::http;

namespace {

std::string content_type_of(const std::filesystem::path& file) {
  static const std::map<std::string, std::string> types = {
      {".html", "text/html; charset=utf-8"},       {".js", "text/javascript; charset=utf-8"},
      {".css", "text/css; charset=utf-8"},         {".svg", "image/svg+xml"},
      {".png", "image/png"},                       {".ico", "image/x-icon"},
      {".json", "application/json; charset=utf-8"}};
  const auto it = types.find(file.extension().string());
  return it == types.end() ? "application/octet-stream" : it->second;
}

}  // namespace

void ConsoleEndpoint::serve(const std::string& asset, const Request& request, Reply reply) const {
  const std::string name = asset.empty() ? "index.html" : asset;
  // Plain names, optionally one folder deep: nothing can climb out of the static folder.
  static const std::regex allowed("([A-Za-z0-9_-][A-Za-z0-9_.-]*/)?[A-Za-z0-9_-][A-Za-z0-9_.-]*");
  if (static_dir_.empty() || !std::regex_match(name, allowed) || name.find("..") != std::string::npos) {
    return reply(make_problem_response({404, "not_found", "Not found", "no such console file", {}, {}}));
  }
  const std::filesystem::path file = static_dir_ / name;
  std::ifstream in(file, std::ios::binary);
  if (!in) return reply(make_problem_response({404, "not_found", "Not found", "no such console file", {}, {}}));
  std::ostringstream content;
  content << in.rdbuf();
  Response response{bhttp::status::ok, request.version()};
  response.set(bhttp::field::content_type, content_type_of(file));
  response.set(bhttp::field::cache_control, "no-store");
  response.set("X-Content-Type-Options", "nosniff");
  response.set("Referrer-Policy", "no-referrer");
  response.set("X-Frame-Options", "DENY");
  response.set("Content-Security-Policy",
               "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
               "frame-ancestors 'none'; base-uri 'none'; form-action 'self'");
  response.body() = content.str();
  response.prepare_payload();
  reply(std::move(response));
}

}  // namespace knutpunkt::http
