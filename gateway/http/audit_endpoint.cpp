#include "http/audit_endpoint.h"

#include <boost/asio/post.hpp>
#include <algorithm>
#include <charconv>

#include "audit_export/audit_exporter.h"
#include "audit_review/log_checks.h"
#include "audit_review/retention.h"
#include "core/clock.h"
#include "core/ids.h"
#include "http/problem.h"
#include "http/request_fields.h"
#include "log/log.h"
#include "policy/person_id.h"

namespace knutpunkt::http {

namespace bhttp = boost::beast::http;

namespace {

constexpr int kDefaultPage = 50;
constexpr int kMaxPage = 500;
constexpr int kMaxTimeline = 2000;
constexpr auto kDefaultReportPeriod = std::chrono::days{30};
// A chain status older than this is refreshed when someone asks.
constexpr auto kChainStatusFreshness = std::chrono::minutes{5};

nlohmann::json to_json(const IndexedAuditRecord& r) {
  return {{"seq", r.record.seq},         {"recorded_at", r.record.recorded_at}, {"kind", r.record.kind},
          {"operation", r.index.operation}, {"outcome", r.index.outcome},     {"reason", r.index.reason},
          {"client", r.index.client},     {"caseworker", r.index.caseworker},  {"case_id", r.index.case_id},
          {"partner", r.index.partner},   {"persons", r.index.persons},        {"body", r.record.body}};
}

std::optional<std::int64_t> parse_count(const std::string& text, std::int64_t min, std::int64_t max) {
  std::int64_t n = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), n);
  if (text.empty() || ec != std::errc{} || end != text.data() + text.size() || n < min || n > max) return std::nullopt;
  return n;
}

// A time filter: a date (midnight UTC) or an RFC 3339 UTC time, normalised.
std::optional<std::string> parse_time(const std::string& text) {
  auto at = parse_utc(text);
  if (!at) return std::nullopt;
  return format_utc(*at);
}

// An export's id is a UUID as new_uuid() makes it (lower-case hex): anything else names no file.
bool is_export_id(const std::string& id) {
  if (id.size() != 36) return false;
  for (std::size_t i = 0; i < id.size(); ++i) {
    const char c = id[i];
    const bool dash = i == 8 || i == 13 || i == 18 || i == 23;
    if (dash ? c != '-' : !((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  }
  return true;
}

Problem invalid_query(std::vector<InvalidParam> invalid) {
  return {400, "invalid_query", "Invalid query", "one or more parameters are invalid", std::move(invalid), {}};
}

// The body of POST /v1/audit/exports: a format and either a time range or a seq range.
audit_export::ExportRequest read_export_request(const nlohmann::json& body, std::vector<InvalidParam>& invalid) {
  refuse_unknown_fields(body, "", {"format", "since", "until", "from_seq", "to_seq"}, invalid);
  audit_export::ExportRequest export_request;
  const std::string format = read_text(body, "format", "format", true, invalid, 8);
  if (auto parsed = audit_export::parse_export_format(format)) export_request.format = *parsed;
  else if (!format.empty()) invalid.push_back({"format", "bad_code", "must be jsonl or csv"});
  for (const char* key : {"since", "until"}) {
    const std::string text = read_text(body, key, key, false, invalid, 40);
    if (text.empty()) continue;
    auto at = parse_time(text);
    if (!at) invalid.push_back({key, "bad_time", "must be a date or an RFC 3339 UTC time"});
    else (std::string(key) == "since" ? export_request.since : export_request.until) = *at;
  }
  if (auto from = read_integer(body, "from_seq", "from_seq", false, 1, INT64_MAX, invalid)) export_request.from_seq = *from;
  if (auto to = read_integer(body, "to_seq", "to_seq", false, 1, INT64_MAX, invalid)) export_request.to_seq = *to;
  if ((export_request.since || export_request.until) && (export_request.from_seq || export_request.to_seq)) {
    invalid.push_back({"from_seq", "conflict", "give either a time range or a seq range, not both"});
  }
  return export_request;
}

Problem export_problem(const audit_export::ExportError& e) {
  const unsigned status = e.code == "empty_range" || e.code == "range_beyond_head" || e.code == "invalid_request" ? 400
                          : e.code == "chain_broken"                                                              ? 409
                                                                                                                  : 503;
  std::vector<InvalidParam> invalid;
  if (!e.field.empty()) invalid.push_back({e.field, e.code, e.message});
  return {status, e.code, "Export not made", e.message, std::move(invalid), {}};
}

Problem retention_disabled() {
  return {503,
          "retention_disabled",
          "Retention not configured",
          "this gateway has no signing key for retention checkpoints",
          {},
          {}};
}

// What a retention request or approval that did not run is answered with.
Problem retention_problem(const audit_review::RetentionError& e) {
  if (e.code == "kept_for_ever" || e.code == "after_retention_floor") {
    return {422, e.code, "Cut-off not allowed", e.message, {{"before", e.code, e.message}}, {}};
  }
  if (e.code == "same_admin") {
    return {403, "four_eyes", "Another administrator must approve", e.message, {{"request_id", e.code, e.message}}, {}};
  }
  if (e.code == "not_found") return {404, "not_found", "No such retention request", e.message, {}, {}};
  if (e.code == "expired" || e.code == "already_approved" || e.code == "in_progress") {
    return {409, e.code, "Request not usable", e.message, {{"request_id", e.code, e.message}}, {}};
  }
  if (e.code == "chain_broken") return {409, e.code, "Nothing removed", e.message, {}, {}};
  return {503, e.code, "Nothing removed", e.message, {}, {}};
}

}  // namespace

AuditEndpoint::AuditEndpoint(Store& store, AuditLog& audit, audit_review::ChainMonitor& chain, AuditConfig exports,
                             const audit_export::SigningKey* signing_key)
    : store_(store), audit_(audit), chain_(chain), exports_(std::move(exports)), signing_key_(signing_key) {
  if (signing_key_) {
    retention_.emplace(store_, audit_, *signing_key_, exports_.retention_days,
                       [] { return std::chrono::system_clock::now(); });
  }
}

AuditEndpoint::~AuditEndpoint() { work_.join(); }

void AuditEndpoint::audited_answer(const ClientConfig& auditor, const std::string& kind, nlohmann::json body,
                                   Response answer, Reply reply) {
  body["auditor"] = auditor.id;
  audit_.append(kind, std::move(body),
                [reply = std::move(reply), answer = std::move(answer)](std::expected<AuditReceipt, StoreError> receipt) mutable {
                  if (!receipt) {
                    return reply(make_problem_response({503, "audit_unavailable", "Audit log unavailable",
                                                        "the request could not be audited and was not answered", {}, {}}));
                  }
                  reply(std::move(answer));
                });
}

void AuditEndpoint::search(Exchange exchange) {
  const auto body = exchange.json_object();
  if (!body) return;
  // What a refused search asked for is in its record, as a refused query's filters were.
  exchange.audit_context()["filters"] = *body;
  std::vector<InvalidParam> invalid;
  refuse_unknown_fields(*body, "",
                        {"person", "case_id", "caseworker", "client", "partner", "operation", "outcome", "kind", "since",
                         "until", "cursor", "limit"},
                        invalid);
  AuditQuery q;
  q.limit = kDefaultPage;
  nlohmann::json filters = nlohmann::json::object();
  const std::string person = read_text(*body, "person", "person", false, invalid, 20);
  if (!person.empty()) {
    auto id = policy::parse_person_id(person, today_utc());
    if (!id) invalid.push_back({"person", id.error().code, id.error().reason});
    else q.person_id = filters["person"] = id->digits;
  }
  for (auto [key, field] : {std::pair{"case_id", &AuditQuery::case_id}, {"caseworker", &AuditQuery::caseworker},
                            {"client", &AuditQuery::client}, {"partner", &AuditQuery::partner},
                            {"operation", &AuditQuery::operation}, {"outcome", &AuditQuery::outcome},
                            {"kind", &AuditQuery::kind}}) {
    std::string value = read_text(*body, key, key, false, invalid);
    if (!value.empty()) q.*field = filters[key] = std::move(value);
  }
  for (const char* key : {"since", "until"}) {
    const std::string text = read_text(*body, key, key, false, invalid, 40);
    if (text.empty()) continue;
    auto at = parse_time(text);
    if (!at) invalid.push_back({key, "bad_time", "must be a date or an RFC 3339 UTC time"});
    else (std::string(key) == "since" ? q.since : q.until) = filters[key] = *at;
  }
  const std::string cursor = read_text(*body, "cursor", "cursor", false, invalid, 20);
  if (!cursor.empty()) {
    auto seq = parse_count(cursor, 1, INT64_MAX);
    if (!seq) invalid.push_back({"cursor", "bad_cursor", "must be a cursor from an earlier page"});
    else q.before_seq = *seq;
    filters["cursor"] = cursor;
  }
  if (auto limit = read_integer(*body, "limit", "limit", false, 1, kMaxPage, invalid)) {
    q.limit = static_cast<int>(*limit);
    filters["limit"] = *limit;
  }
  if (!invalid.empty()) {
    return exchange.refuse(
        {400, "invalid_request", "Invalid search", "one or more filters are invalid", std::move(invalid), {}});
  }
  // One more than asked, to know whether there is a next page.
  const int page = q.limit;
  q.limit = page + 1;
  auto found = store_.search_audit(q);
  if (!found) return exchange.store_unavailable();
  const bool has_more = static_cast<int>(found->size()) > page;
  if (has_more) found->resize(static_cast<std::size_t>(page));
  nlohmann::json out = {{"records", nlohmann::json::array()}, {"has_more", has_more}, {"next_cursor", nullptr}};
  for (const auto& r : *found) out["records"].push_back(to_json(r));
  if (has_more) out["next_cursor"] = std::to_string(found->back().record.seq);
  audited_answer(exchange.client(), "audit.searched",
                 {{"filters", filters}, {"results", found->size()}, {"remote_address", exchange.remote_address()}},
                 make_json_response(200, out), exchange.as_reply());
}

void AuditEndpoint::case_timeline(Exchange exchange) {
  const std::string& case_id = exchange.param("case_id");
  const ClientConfig* auditor = &exchange.client();
  const Request& request = exchange.request();
  const std::string& remote_address = exchange.remote_address();
  Reply reply = exchange.as_reply();
  auto params = query_parameters(to_std(request.target()));
  AuditQuery q;
  q.case_id = case_id;
  if (params && params->contains("client")) q.client = params->at("client");
  nlohmann::json list = nlohmann::json::array();
  auto ok = store_.scan_audit_index(q, /*oldest_first=*/true, [&](const IndexedAuditRecord& r) {
    list.push_back(to_json(r));
    return list.size() < static_cast<std::size_t>(kMaxTimeline);
  });
  if (!ok) return reply(make_problem_response({503, "store_unavailable", "Store unavailable", {}, {}, {}}));
  nlohmann::json out = {{"case_id", case_id}, {"records", list}, {"truncated", list.size() >= kMaxTimeline}};
  audited_answer(*auditor, "audit.timeline_read",
                 {{"case_id", case_id}, {"client", q.client}, {"results", list.size()}, {"remote_address", remote_address}},
                 make_json_response(200, out), std::move(reply));
}

void AuditEndpoint::person_timeline(Exchange exchange) {
  const auto body = exchange.json_object();
  if (!body) return;
  std::vector<InvalidParam> invalid;
  refuse_unknown_fields(*body, "", {"person"}, invalid);
  const std::string person = read_text(*body, "person", "person", true, invalid, 20);
  // What a refused read asked for is in its record (the audit log may hold a personnummer).
  if (!person.empty()) exchange.audit_context()["person"] = person;
  std::optional<policy::PersonId> id;
  if (!person.empty()) {
    auto parsed = policy::parse_person_id(person, today_utc());
    if (!parsed) invalid.push_back({"person", parsed.error().code, parsed.error().reason});
    else id = *parsed;
  }
  if (!invalid.empty()) {
    return exchange.refuse(
        {400, "invalid_request", "Invalid timeline request", "one or more fields are invalid", std::move(invalid), {}});
  }
  AuditQuery q;
  q.person_id = id->digits;
  nlohmann::json list = nlohmann::json::array();
  auto ok = store_.scan_audit_index(q, /*oldest_first=*/true, [&](const IndexedAuditRecord& r) {
    list.push_back(to_json(r));
    return list.size() < static_cast<std::size_t>(kMaxTimeline);
  });
  if (!ok) return exchange.store_unavailable();
  nlohmann::json out = {{"person", id->digits}, {"records", list}, {"truncated", list.size() >= kMaxTimeline}};
  audited_answer(exchange.client(), "audit.timeline_read",
                 {{"person", {{"id", id->digits}, {"kind", std::string(policy::to_string(id->kind))}}},
                  {"results", list.size()},
                  {"remote_address", exchange.remote_address()}},
                 make_json_response(200, out), exchange.as_reply());
}

void AuditEndpoint::report_list(Exchange exchange) {
  Reply reply = exchange.as_reply();
  nlohmann::json list = nlohmann::json::array();
  for (const auto& r : audit_review::reports()) {
    list.push_back({{"name", r.name}, {"title", r.title}, {"description", r.description}});
  }
  reply(make_json_response(200, {{"reports", list}}));
}

void AuditEndpoint::report(Exchange exchange) {
  const std::string& name = exchange.param("report");
  const ClientConfig* auditor = &exchange.client();
  const Request& request = exchange.request();
  const std::string& remote_address = exchange.remote_address();
  Reply reply = exchange.as_reply();
  auto params = query_parameters(to_std(request.target()));
  if (!params) return exchange.refuse(invalid_query({{"", "bad_format", "is not a valid query string"}}));
  const auto now = std::chrono::system_clock::now();
  std::string since = format_utc(now - kDefaultReportPeriod);
  // No end given: up to and including whatever has been recorded (an end of "now" would leave
  // out a record made in the same millisecond).
  std::string until;
  std::vector<InvalidParam> invalid;
  for (const auto& [key, value] : *params) {
    if (key == "since" || key == "until") {
      auto at = parse_time(value);
      if (!at) invalid.push_back({key, "bad_time", "must be a date or an RFC 3339 UTC time"});
      else (key == "since" ? since : until) = *at;
    } else {
      invalid.push_back({key, "unknown_parameter", "is not a known parameter"});
    }
  }
  if (!invalid.empty()) return exchange.refuse(invalid_query(std::move(invalid)));
  const auto& known = audit_review::reports();
  if (std::none_of(known.begin(), known.end(), [&](const auto& r) { return r.name == name; })) {
    return exchange.refuse({404, "not_found", "No such report", "no log check has this name", {}, {}});
  }
  const ClientConfig who = *auditor;
  boost::asio::post(work_, [this, name, since, until, who, remote = remote_address,
                            reply = std::move(reply)]() mutable {
    auto ran = audit_review::run_report(store_, name, since, until);
    if (!ran) {
      if (ran.error().code == "unknown_report") {
        return reply(make_problem_response({404, "not_found", "No such report", ran.error().message, {}, {}}));
      }
      return reply(make_problem_response({503, "store_unavailable", "Store unavailable", {}, {}, {}}));
    }
    nlohmann::json columns = nlohmann::json::array();
    for (const auto& c : ran->columns) columns.push_back({{"key", c.key}, {"title", c.title}});
    const std::string generated_at = now_utc();
    nlohmann::json out = {{"name", name},
                          {"title", ran->info.title},
                          {"since", since},
                          {"until", until.empty() ? generated_at : until},
                          {"columns", columns},
                          {"rows", ran->rows},
                          {"generated_at", generated_at}};
    audited_answer(who, "audit.report_run",
                   {{"report", name}, {"since", since}, {"until", until}, {"rows", ran->rows.size()}, {"remote_address", remote}},
                   make_json_response(200, out), std::move(reply));
  });
}

void AuditEndpoint::chain(Exchange exchange) {
  const ClientConfig* auditor = &exchange.client();
  const std::string& remote_address = exchange.remote_address();
  Reply reply = exchange.as_reply();
  audit_review::ChainStatus status = chain_.status();
  const auto checked = parse_utc(status.checked_at);
  if (status.state == "never_checked" || status.state == "failed" ||
      (status.state == "done" && checked && std::chrono::system_clock::now() - *checked > kChainStatusFreshness)) {
    status = chain_.check();
  }
  nlohmann::json out = {{"state", status.state}, {"checked_at", status.checked_at}, {"first_problem", nullptr}};
  if (status.report) {
    out["intact"] = status.intact();
    if (status.report->checkpoint) {
      const auto& c = *status.report->checkpoint;
      out["checkpoint"] = {{"through_seq", c.through_seq},   {"removed_records", c.removed_records},
                           {"removed_before", c.removed_before}, {"created_at", c.created_at},
                           {"key_id", c.key_id},             {"signature_valid", status.checkpoint_signature_valid.value_or(false)}};
    }
    // What retention removed, so a reader sees which seqs went, when and on whose decision.
    out["weeded"] = nlohmann::json::array();
    for (const auto& w : status.report->weeded) out["weeded"].push_back(to_json(w));
    out["records"] = status.report->records;
    out["head_seq"] = status.report->head_seq;
    out["head_hash"] = status.report->head_hash;
    if (status.report->first_problem) {
      const auto& p = *status.report->first_problem;
      out["first_problem"] = {{"seq", p.seq}, {"problem", p.problem}, {"detail", p.detail}};
    }
  }
  if (!status.error.empty()) out["error"] = status.error;
  audited_answer(*auditor, "audit.chain_read", {{"state", status.state}, {"remote_address", remote_address}},
                 make_json_response(200, out), std::move(reply));
}

void AuditEndpoint::retention_request(Exchange exchange) {
  if (!retention_) return exchange.refuse(retention_disabled());
  const auto body = exchange.json_object();
  if (!body) return;
  std::vector<InvalidParam> invalid;
  std::string before;
  refuse_unknown_fields(*body, "", {"before"}, invalid);
  const std::string text = read_text(*body, "before", "before", true, invalid, 40);
  if (auto at = text.empty() ? std::nullopt : parse_time(text))
    before = *at;
  else if (!text.empty())
    invalid.push_back({"before", "bad_time", "must be a date or an RFC 3339 UTC time"});
  if (!invalid.empty()) {
    return exchange.refuse(
        {400, "invalid_request", "Invalid retention", "one or more fields are invalid", std::move(invalid), {}});
  }
  exchange.audit_context()["before"] = before;
  retention_->request(
      before, exchange.client().id, {{"remote_address", exchange.remote_address()}},
      [exchange](std::expected<audit_review::RetentionRequest, audit_review::RetentionError> made) mutable {
        if (!made) return exchange.refuse(retention_problem(made.error()));
        exchange.reply(
            make_json_response(202, {{"request_id", std::to_string(made->id)},
                                     {"before", made->before},
                                     {"requested_by", made->requested_by},
                                     {"requested_at", made->requested_at},
                                     {"expires_at", made->expires_at},
                                     {"approval", "/v1/audit/retention/" + std::to_string(made->id) + "/approval"}}));
      });
}

void AuditEndpoint::retention_approval(Exchange exchange) {
  if (!retention_) return exchange.refuse(retention_disabled());
  const std::string& id_text = exchange.param("request_id");
  exchange.audit_context()["request_id"] = id_text;
  const auto id = parse_count(id_text, 1, INT64_MAX);
  if (!id) return exchange.refuse({404, "not_found", "No such retention request", {}, {}, {}});
  retention_->approve(
      *id, exchange.client().id, {{"remote_address", exchange.remote_address()}},
      [exchange](std::expected<audit_review::RetentionOutcome, audit_review::RetentionError> outcome) mutable {
        if (!outcome) return exchange.refuse(retention_problem(outcome.error()));
        nlohmann::json out = {{"removed_records", outcome->removed_records}};
        if (outcome->removed_records > 0) {
          out["from_seq"] = outcome->checkpoint.through_seq - outcome->checkpoint.removed_records + 1;
          out["through_seq"] = outcome->checkpoint.through_seq;
          out["through_hash"] = outcome->checkpoint.through_hash;
          out["audit"] = {{"seq", outcome->audit.seq}, {"hash", outcome->audit.hash}};
        }
        exchange.reply(make_json_response(200, out));
      });
}

void AuditEndpoint::create_export(Exchange exchange) {
  const ClientConfig* auditor = &exchange.client();
  const std::string& remote_address = exchange.remote_address();
  Reply reply = exchange.as_reply();
  if (!signing_key_ || exports_.export_dir.empty()) {
    return reply(make_problem_response({503, "exports_disabled", "Exports not configured",
                                        "this gateway has no signing key or export folder configured", {}, {}}));
  }
  const auto body = exchange.json_object();
  if (!body) return;
  std::vector<InvalidParam> invalid;
  audit_export::ExportRequest export_request = read_export_request(*body, invalid);
  if (!invalid.empty()) {
    return exchange.refuse(
        {400, "invalid_request", "Invalid export", "one or more fields are invalid", std::move(invalid), {}});
  }
  const std::string export_id = new_uuid();
  std::error_code made;
  std::filesystem::create_directories(exports_.export_dir, made);
  if (made) {
    log::error("audit.export_dir_unusable", {{"error", made.message()}});
    return reply(make_problem_response({503, "exports_disabled", "Exports not possible",
                                        "the export folder cannot be created", {}, {}}));
  }
  export_request.out = exports_.export_dir / (export_id + "." + std::string(audit_export::to_string(export_request.format)));
  export_request.exported_by = auditor->id;
  export_request.gateway_instance = exports_.instance_id;
  const ClientConfig who = *auditor;
  boost::asio::post(work_, [this, export_id, export_request, who, remote = remote_address,
                            reply = std::move(reply)]() mutable {
    auto manifest = audit_export::export_audit(store_, export_request, *signing_key_);
    if (!manifest) {
      log::warn("audit.export_failed", {{"export_id", export_id}, {"code", manifest.error().code}});
      return reply(make_problem_response(export_problem(manifest.error())));
    }
    nlohmann::json out = {{"export_id", export_id},
                          {"format", std::string(audit_export::to_string(export_request.format))},
                          {"records", manifest->record_count},
                          {"first_seq", manifest->first_seq},
                          {"last_seq", manifest->last_seq},
                          {"manifest", nlohmann::json::parse(audit_export::manifest_text(*manifest), nullptr, false)},
                          {"file", "/v1/audit/exports/" + export_id + "/file"},
                          {"manifest_file", "/v1/audit/exports/" + export_id + "/manifest"}};
    audited_answer(who, "audit.exported",
                   {{"export_id", export_id},
                    {"format", out["format"]},
                    {"first_seq", manifest->first_seq},
                    {"last_seq", manifest->last_seq},
                    {"records", manifest->record_count},
                    {"file_sha256", manifest->file_sha256},
                    {"key_id", manifest->key_id},
                    {"remote_address", remote}},
                   make_json_response(201, out), std::move(reply));
  });
}

void AuditEndpoint::export_file(Exchange exchange, bool manifest) {
  const std::string& export_id = exchange.param("export_id");
  const ClientConfig* auditor = &exchange.client();
  const Request& request = exchange.request();
  const std::string& remote_address = exchange.remote_address();
  Reply reply = exchange.as_reply();
  std::optional<std::filesystem::path> file;
  if (is_export_id(export_id) && !exports_.export_dir.empty()) {
    for (const char* ext : {".jsonl", ".csv"}) {
      const auto candidate = exports_.export_dir / (export_id + ext);
      std::error_code missing;
      if (std::filesystem::exists(candidate, missing)) file = manifest ? audit_export::manifest_path_for(candidate) : candidate;
    }
  }
  // Opened now, sent in chunks once the download is audited: an export is as large as the log.
  auto opened = file ? StreamedFile::open(*file) : nullptr;
  if (!opened) return exchange.refuse({404, "not_found", "No such export", {}, {}, {}});
  Response response{bhttp::status::ok, request.version()};
  const std::string ext = file->extension().string();
  response.set(bhttp::field::content_type, ext == ".csv"     ? "text/csv; charset=utf-8"
                                           : ext == ".jsonl" ? "application/jsonl; charset=utf-8"
                                                             : "application/json; charset=utf-8");
  // The name the manifest gives, so the verifier finds FILE and FILE.manifest.json side by side.
  response.set(bhttp::field::content_disposition, "attachment; filename=\"" + file->filename().string() + "\"");
  response.set(bhttp::field::cache_control, "no-store");
  response.body().stream_file(std::move(opened));
  response.prepare_payload();
  audited_answer(*auditor, "audit.export_downloaded",
                 {{"export_id", export_id}, {"part", manifest ? "manifest" : "file"}, {"remote_address", remote_address}},
                 std::move(response), std::move(reply));
}

}  // namespace knutpunkt::http
