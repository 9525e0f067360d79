#pragma once
// What the fuzz targets share: the repository's own mappings, schemas and adapter registrations
// (read once per process, never written), and the checks every target makes on what a parser
// returns besides "it did not crash".
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <string_view>

#include <boost/asio/io_context.hpp>
#include <nlohmann/json.hpp>

#include "core/adapter_registry.h"
#include "core/inbound_adapter.h"
#include "core/lookup_types.h"
#include "mapping/json_vocabulary.h"
#include "mapping/mapping.h"
#include "net/http_client.h"

namespace knutpunkt::fuzz {

inline std::filesystem::path repo_path(const std::string& relative) {
  return std::filesystem::path(KNUTPUNKT_REPO_ROOT) / relative;
}

// Set-up that cannot fail in a correct checkout; if it does, say so and stop, so a broken harness
// is not mistaken for a finding.
[[noreturn]] inline void setup_failed(const std::string& what) {
  std::fprintf(stderr, "fuzz set-up failed: %s\n", what.c_str());
  std::abort();
}

// `relative_dir`'s mappings; "schema" entries resolve in `relative_schema_dir`, by default the
// partner's folder under schemas/ beside it, as the adapters resolve them.
inline std::map<std::string, mapping::Mapping> load_mappings(const std::string& relative_dir,
                                                             const std::string& relative_schema_dir = {}) {
  const std::string schema_dir =
      relative_schema_dir.empty() ? mapping::published_schema_dir(relative_dir).string() : relative_schema_dir;
  auto loaded = mapping::load_mappings(repo_path(relative_dir), repo_path(schema_dir));
  if (!loaded) setup_failed(loaded.error().where + ": " + loaded.error().message);
  return std::move(*loaded);
}

// The inbound facet of a registered adapter kind, built by its own factory from `config` exactly
// as the gateway builds it at start-up. The io_context and HTTP client are never run: nothing
// here opens a socket.
inline std::unique_ptr<InboundAdapter> inbound_adapter(const std::string& kind, const nlohmann::json& config) {
  static boost::asio::io_context io;
  static net::HttpClient http(io);
  const auto* factory = AdapterRegistry::instance().find_inbound(kind);
  if (factory == nullptr) setup_failed("no inbound adapter kind " + kind);
  AdapterContext context{io, http, repo_path(""), "/adapters/0/config"};
  auto adapter = (*factory)(config, context);
  if (!adapter) setup_failed(adapter.error().field + ": " + adapter.error().message);
  return std::move(*adapter);
}

// Whatever a parser hands on ends up in a JSON answer and in the audit log, whose canonical form
// refuses invalid UTF-8 (audit/canonical_json.cpp). A string a parser built by cutting partner
// text in the middle of a character would surface there, far from its cause; here it aborts.
inline void require_utf8(const nlohmann::json& value) {
  try {
    (void)value.dump(-1, ' ', false, nlohmann::json::error_handler_t::strict);
  } catch (const nlohmann::json::type_error& e) {
    // The value as the fuzzer's input made it (ASCII-escaped, bad bytes replaced), to see which text.
    const std::string shown = value.dump(-1, ' ', true, nlohmann::json::error_handler_t::replace);
    std::fprintf(stderr, "a parser produced text that is not UTF-8: %s\nin %s\n", e.what(), shown.c_str());
    std::abort();
  }
}

inline nlohmann::json to_json(const SourceOutcome& outcome) {
  nlohmann::json events = nlohmann::json::array();
  for (const CaseEvent& event : outcome.events) events.push_back(to_json(event));
  return {{"source", outcome.source},
          {"status", to_string(outcome.status)},
          {"code", outcome.partner_code},
          {"message", outcome.partner_message},
          {"events", std::move(events)},
          {"deviations", outcome.deviations},
          {"protected_identity", outcome.protected_identity}};
}

inline nlohmann::json to_json(const InboundReport& report) {
  nlohmann::json events = nlohmann::json::array();
  for (const ReportedEvent& e : report.events) {
    events.push_back({{"type", e.type}, {"occurred_at", e.occurred_at}, {"facts", e.facts}});
  }
  return {{"partner_message_id", report.partner_message_id}, {"referral_id", report.referral_id},
          {"person_id", report.person_id},                   {"plan_id", report.plan_id},
          {"participant_id", report.participant_id},         {"id_kind", report.id_kind},
          {"report_type", report.report_type},               {"reported_at", report.reported_at},
          {"events", std::move(events)}};
}

inline nlohmann::json to_json(const InboundError& error) {
  return {{"code", error.code}, {"field", error.field}, {"message", error.message}};
}

// An inbound partner message through its adapter, with the checks every inbound target makes.
inline void check_report(const InboundAdapter& adapter, std::string_view body) {
  auto report = adapter.parse_report(body);
  if (report) {
    // The core relies on exactly one subject (inbound_adapter.h); a report without one would be
    // filed nowhere.
    const int subjects = !report->referral_id.empty() + !report->person_id.empty() + !report->plan_id.empty();
    if (subjects != 1) {
      std::fprintf(stderr, "a report names %d subjects\n", subjects);
      std::abort();
    }
    // "12 digits, check digit verified by the adapter" (inbound_adapter.h).
    if (!report->person_id.empty() &&
        (report->person_id.size() != 12 || report->person_id.find_first_not_of("0123456789") != std::string::npos)) {
      std::fprintf(stderr, "a report's person id is not 12 digits\n");
      std::abort();
    }
    require_utf8(to_json(*report));
  } else {
    require_utf8(to_json(report.error()));
  }
}

}  // namespace knutpunkt::fuzz
