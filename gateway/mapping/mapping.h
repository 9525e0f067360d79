#pragma once
// Declarative partner-message → case-event mappings. A mapping is data (mappings/<adapter>/<SOURCE>.json,
// format in mappings/README.md), checked completely when loaded so that a bad file stops start-up
// with the file and JSON pointer; applying it to a reply never needs to know which partner it is.
#include <cstddef>
#include <expected>
#include <filesystem>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "xml/document.h"

namespace knutpunkt::mapping {

// Load codes: "mapping_unreadable" (file missing, not JSON), "mapping_invalid" (where = file#pointer).
// Apply codes: "too_large", "payload_malformed" (base64, XML or JSON), "value_missing" (a required
// value), "value_invalid" (a value of the wrong form), "data_ambiguous" (the data path selects more
// than one node), "payload_kind" (an XML mapping applied to a JSON message or the other way round),
// "contract_version_mismatch" (the payload is not the contract version this mapping reads).
// Messages never quote partner values (personal data).
struct MappingError {
  std::string code;
  std::string where;  // the mapping member ("jobbtorg/NARVARO:/events/0/facts/date (item 1)") or file#pointer
  std::string message;
  // JSON-input mappings (and outbound templates): the JSON Pointer into the message of the value
  // that is missing or invalid (where a missing one was expected), e.g. "/narvaro/dagar/1/datum",
  // so an HTTP edge can answer 400 naming the field. Empty otherwise.
  std::string field = {};
};

struct MappedEvent {
  std::string type;         // e.g. "benefit.payment"
  std::string occurred_at;  // ISO 8601 date or date-time; empty when the mapping has none
  nlohmann::json facts = nlohmann::json::object();
};

struct MappingResult {
  bool has_data = false;  // false: the data path selected nothing (the source sent no data element)
  bool protected_identity = false;
  std::vector<MappedEvent> events;
  // Each {"kind", "path", "detail"}: what the partner says it could not deliver ("partner_reported",
  // with the mapping's deviation facts), and where the decoded payload departs from its published
  // schema (schema finding kinds, see xml::SchemaFinding). Neither fails the reply: only what the
  // mapping needs is required.
  std::vector<nlohmann::json> deviations;
  std::string contract_version;  // the "contract" version of the mapping that read the payload
};

// The partner document a mapping reads ("contract" in the mapping file): a partner may answer in
// more than one version while it moves from one to the next, and announces when an old one retires.
struct ContractInfo {
  std::string name;        // e.g. "csn-kommunfraga"; empty when the mapping names no contract
  std::string version;     // e.g. "4.0"
  std::string retires_on;  // YYYY-MM-DD, or empty when no retirement is announced
};

struct ApplyLimits {
  std::size_t max_decoded_bytes = 8 * 1024 * 1024;  // a base64 payload, after decoding
  std::size_t max_json_depth = 64;
};

class Mapping {
 public:
  // schema_dir resolves "schema" entries (relative paths only).
  static std::expected<Mapping, MappingError> load(const std::filesystem::path& file,
                                                   const std::filesystem::path& schema_dir);

  // Thread-safe: a loaded Mapping is immutable and may be shared (copies share the compiled form).
  // Any error fails the whole reply: a partial list of payments could mislead a caseworker.
  std::expected<MappingResult, MappingError> apply(const xml::Document& reply, const ApplyLimits& limits = {}) const;

  // For mappings with "payload": "json": a partner's JSON message (e.g. a REST body), already parsed
  // by the caller with its own size and depth limits. has_data is always true.
  std::expected<MappingResult, MappingError> apply(const nlohmann::json& message, const ApplyLimits& limits = {}) const;

  bool json_input() const;  // true for "payload": "json"

  const std::string& name() const;  // the "mapping" field, e.g. "ssbtek/FK"
  const ContractInfo& contract() const;
  bool recognises_versions() const;  // the contract names a recognised_by test

  struct Spec;

 private:
  explicit Mapping(std::shared_ptr<const Spec> spec) : spec_(std::move(spec)) {}
  std::shared_ptr<const Spec> spec_;
};

// The deepest nesting of arrays and objects in JSON text, counted without parsing, so a hostile
// reply is refused before a recursive parser descends into it.
std::size_t json_nesting_depth(std::string_view text);

// Every *.json in dir except outbound templates; the key is the file stem ("FK"). The first bad
// file stops loading.
std::expected<std::map<std::string, Mapping>, MappingError> load_mappings(const std::filesystem::path& dir,
                                                                          const std::filesystem::path& schema_dir);

// True when the file is JSON with "direction": "outbound" (an OutboundTemplate, not a Mapping).
bool is_outbound_template(const std::filesystem::path& file);

}  // namespace knutpunkt::mapping
