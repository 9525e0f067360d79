#include "http/console_endpoint.h"

#include <fstream>
#include <map>
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

bool name_character(char c, bool first) {
  const bool alphanumeric = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
  return alphanumeric || c == '_' || c == '-' || (!first && c == '.');
}

bool plain_part(std::string_view part) {
  if (part.empty() || !name_character(part.front(), true)) return false;
  for (const char c : part.substr(1)) {
    if (!name_character(c, false)) return false;
  }
  return true;
}

}  // namespace

bool plain_console_name(std::string_view name) {
  if (name.empty() || name.size() > kMaxConsoleName || name.find("..") != std::string_view::npos) return false;
  const auto slash = name.find('/');
  if (slash == std::string_view::npos) return plain_part(name);
  return plain_part(name.substr(0, slash)) && plain_part(name.substr(slash + 1));
}

void ConsoleEndpoint::serve(const std::string& asset, const Request& request, Reply reply) const {
  const std::string name = asset.empty() ? "index.html" : asset;
  if (static_dir_.empty() || !plain_console_name(name)) {
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
