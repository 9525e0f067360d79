#include "http/router.h"

#include "http/problem.h"

#include <cctype>

namespace knutpunkt::http {

namespace bhttp = boost::beast::http;

namespace {

constexpr std::string_view kLookupPrefix = "/v1/lookups/";
constexpr std::string_view kReferralPrefix = "/v1/referrals/";
constexpr std::string_view kPartnerPrefix = "/v1/partners/";
constexpr std::string_view kMessagePrefix = "/v1/messages/";
constexpr std::string_view kDeadLetterPrefix = "/v1/dead-letters/";
constexpr std::string_view kConsentPrefix = "/v1/consents/";
constexpr std::string_view kManualItemPrefix = "/v1/manual-handling/";
constexpr std::string_view kCasePrefix = "/v1/cases/";
constexpr std::string_view kAuditCasePrefix = "/v1/audit/cases/";
constexpr std::string_view kAuditPersonPrefix = "/v1/audit/persons/";
constexpr std::string_view kAuditReportPrefix = "/v1/audit/reports/";
constexpr std::string_view kAuditExportPrefix = "/v1/audit/exports/";
constexpr std::string_view kConsolePrefix = "/console/";

std::string_view path_of(std::string_view target) { return target.substr(0, target.find('?')); }

Response method_not_allowed(std::string_view allowed) {
  Response response = make_problem_response({405, "method_not_allowed", "Method not allowed", {}, {}, {}});
  response.set(bhttp::field::allow, std::string(allowed));
  return response;
}

// Names and ids in paths are plain identifiers (adapter names, UUIDs); anything else names nothing.
bool is_identifier(std::string_view name) {
  if (name.empty() || name.size() > 64) return false;
  for (char c : name) {
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_')) return false;
  }
  return true;
}

// "/prefix/{id}" + suffix -> id, when it is an identifier.
std::optional<std::string> segment(std::string_view path, std::string_view prefix, std::string_view suffix = {}) {
  if (!path.starts_with(prefix) || !path.ends_with(suffix) || path.size() < prefix.size() + suffix.size()) return std::nullopt;
  const std::string_view id = path.substr(prefix.size(), path.size() - prefix.size() - suffix.size());
  if (!is_identifier(id)) return std::nullopt;
  return std::string(id);
}

}  // namespace

Router::Router(Endpoints endpoints) : e_(endpoints) {}

void Router::handle(Request&& request, const RequestContext& context, Reply reply) {
  const std::string_view path = path_of(to_std(request.target()));
  const auto method = request.method();
  const bool get = method == bhttp::verb::get;
  const bool post = method == bhttp::verb::post;
  const bool del = method == bhttp::verb::delete_;
  const bool put = method == bhttp::verb::put;

  if (path == "/healthz") {
    if (!get) return reply(method_not_allowed("GET"));
    return reply(make_json_response(200, {{"status", "ok"}}));
  }
  if (path == "/readyz") {
    if (!get) return reply(method_not_allowed("GET"));
    return e_.readiness.handle(std::move(reply));
  }
  if (path == "/metrics") {
    if (!get) return reply(method_not_allowed("GET"));
    return e_.metrics.handle(std::move(reply));
  }
  if (auto adapter = segment(path, kLookupPrefix)) {
    if (!post) return reply(method_not_allowed("POST"));
    return e_.lookups.handle(*adapter, std::move(request), context, std::move(reply));
  }
  if (path == "/v1/referrals") {
    if (!post) return reply(method_not_allowed("POST"));
    return e_.referrals.create(std::move(request), context, std::move(reply));
  }
  if (auto id = segment(path, kReferralPrefix)) {
    if (!get) return reply(method_not_allowed("GET"));
    return e_.referrals.show(*id, std::move(request), std::move(reply));
  }
  if (auto adapter = segment(path, kPartnerPrefix, "/reports")) {
    if (!post) return reply(method_not_allowed("POST"));
    return e_.reports.handle(*adapter, std::move(request), context, std::move(reply));
  }
  if (path == "/v1/events") {
    if (!get) return reply(method_not_allowed("GET"));
    return e_.events.handle(std::move(request), std::move(reply));
  }
  if (auto id = segment(path, kMessagePrefix)) {
    if (!get) return reply(method_not_allowed("GET"));
    return e_.operators.message(*id, std::move(request), std::move(reply));
  }
  if (path == "/v1/dead-letters") {
    if (!get) return reply(method_not_allowed("GET"));
    return e_.operators.dead_letters(std::move(request), std::move(reply));
  }
  if (auto id = segment(path, kDeadLetterPrefix, "/replay")) {
    if (!post) return reply(method_not_allowed("POST"));
    return e_.operators.replay(*id, std::move(request), std::move(reply));
  }
  if (path == "/v1/consents") {
    if (post) return e_.consents.record(std::move(request), context, std::move(reply));
    if (!get) return reply(method_not_allowed("GET, POST"));
    return e_.consents.list(std::move(request), context, std::move(reply));
  }
  if (auto id = segment(path, kConsentPrefix)) {
    if (!del) return reply(method_not_allowed("DELETE"));
    return e_.consents.withdraw(*id, std::move(request), context, std::move(reply));
  }
  if (path == "/v1/auth/session") {
    if (post) return e_.sessions.sign_in(std::move(request), context, std::move(reply));
    if (!del) return reply(method_not_allowed("DELETE, POST"));
    return e_.sessions.sign_out(std::move(request), context, std::move(reply));
  }
  if (path == "/console" || path.starts_with(kConsolePrefix)) {
    if (!get) return reply(method_not_allowed("GET"));
    if (path == "/console") {
      // The console's assets are relative to /console/; without the slash they would not load.
      Response moved{bhttp::status::moved_permanently, request.version()};
      moved.set(bhttp::field::location, "/console/");
      moved.prepare_payload();
      return reply(std::move(moved));
    }
    const std::string asset(path.size() > kConsolePrefix.size() ? path.substr(kConsolePrefix.size()) : std::string_view{});
    return e_.console.serve(asset, std::move(request), std::move(reply));
  }
  if (path == "/v1/audit/records") {
    if (!get) return reply(method_not_allowed("GET"));
    return e_.audit.records(std::move(request), context, std::move(reply));
  }
  if (auto id = segment(path, kAuditCasePrefix, "/timeline")) {
    if (!get) return reply(method_not_allowed("GET"));
    return e_.audit.case_timeline(*id, std::move(request), context, std::move(reply));
  }
  if (auto id = segment(path, kAuditPersonPrefix, "/timeline")) {
    if (!get) return reply(method_not_allowed("GET"));
    return e_.audit.person_timeline(*id, std::move(request), context, std::move(reply));
  }
  if (path == "/v1/audit/reports") {
    if (!get) return reply(method_not_allowed("GET"));
    return e_.audit.report_list(std::move(request), context, std::move(reply));
  }
  if (auto name = segment(path, kAuditReportPrefix)) {
    if (!get) return reply(method_not_allowed("GET"));
    return e_.audit.report(*name, std::move(request), context, std::move(reply));
  }
  if (path == "/v1/audit/chain") {
    if (!get) return reply(method_not_allowed("GET"));
    return e_.audit.chain(std::move(request), context, std::move(reply));
  }
  if (path == "/v1/audit/retention") {
    if (!post) return reply(method_not_allowed("POST"));
    return e_.audit.retention(std::move(request), context, std::move(reply));
  }
  if (path == "/v1/audit/exports") {
    if (!post) return reply(method_not_allowed("POST"));
    return e_.audit.create_export(std::move(request), context, std::move(reply));
  }
  if (auto id = segment(path, kAuditExportPrefix, "/file")) {
    if (!get) return reply(method_not_allowed("GET"));
    return e_.audit.export_file(*id, false, std::move(request), context, std::move(reply));
  }
  if (auto id = segment(path, kAuditExportPrefix, "/manifest")) {
    if (!get) return reply(method_not_allowed("GET"));
    return e_.audit.export_file(*id, true, std::move(request), context, std::move(reply));
  }
  if (path == "/v1/sip-plans" || path.starts_with("/v1/sip-plans/")) {
    return e_.sip.handle(std::string(path), std::move(request), context, std::move(reply));
  }
  if (path == "/v1/atersokningar") {
    if (!post) return reply(method_not_allowed("POST"));
    return e_.atersokningar.create(std::move(request), context, std::move(reply));
  }
  if (path == "/v1/manual-handling") {
    if (!get) return reply(method_not_allowed("GET"));
    return e_.manual_handling.list(std::move(request), context, std::move(reply));
  }
  if (auto id = segment(path, kManualItemPrefix, "/resolve")) {
    if (!post) return reply(method_not_allowed("POST"));
    return e_.manual_handling.resolve(*id, std::move(request), context, std::move(reply));
  }
  if (auto id = segment(path, kCasePrefix)) {
    if (put) return e_.cases.put(*id, std::move(request), context, std::move(reply));
    if (!get) return reply(method_not_allowed("GET, PUT"));
    return e_.cases.get(*id, std::move(request), context, std::move(reply));
  }
  reply(make_problem_response({404, "not_found", "Not found", "no such resource", {}, {}}));
}

void Router::handle_oversize(const Request& header, const RequestContext& context, Reply reply) {
  if (path_of(to_std(header.target())).starts_with(kLookupPrefix)) {
    return e_.lookups.refuse_oversize(header, context, std::move(reply));
  }
  reply(make_problem_response({413, "body_too_large", "Request body too large", {}, {}, {}}));
}

}  // namespace knutpunkt::http
