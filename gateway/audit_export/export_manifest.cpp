#include "audit_export/export_manifest.h"

#include "audit/canonical_json.h"

namespace knutpunkt::audit_export {

namespace {

bool is_hex(const std::string& text, std::size_t length) {
  return text.size() == length && text.find_first_not_of("0123456789abcdef") == std::string::npos;
}

class FieldReader {
 public:
  explicit FieldReader(const nlohmann::json& root) : root_(root) {}

  std::string text(const char* pointer, bool allow_empty = false) {
    const auto* v = find(pointer);
    if (v == nullptr) return {};
    if (!v->is_string() || (!allow_empty && v->get_ref<const std::string&>().empty())) {
      fail(pointer, "must be a non-empty string");
      return {};
    }
    return v->get<std::string>();
  }

  std::string hex(const char* pointer, std::size_t length) {
    std::string value = text(pointer);
    if (!error_ && !is_hex(value, length))
      fail(pointer, "must be " + std::to_string(length) + " lower-case hex digits");
    return value;
  }

  std::int64_t number(const char* pointer, std::int64_t minimum) {
    const auto* v = find(pointer);
    if (v == nullptr) return 0;
    if (!v->is_number_integer() || v->get<std::int64_t>() < minimum) {
      fail(pointer, "must be an integer of at least " + std::to_string(minimum));
      return 0;
    }
    return v->get<std::int64_t>();
  }

  void fail(const std::string& pointer, const std::string& why) {
    if (!error_) error_ = ExportError{"manifest_malformed", pointer, "manifest field " + pointer + " " + why};
  }

  const std::optional<ExportError>& error() const { return error_; }

 private:
  const nlohmann::json* find(const char* pointer) {
    if (error_) return nullptr;
    const nlohmann::json::json_pointer p(pointer);
    if (!root_.contains(p)) {
      fail(pointer, "is missing");
      return nullptr;
    }
    return &root_.at(p);
  }

  const nlohmann::json& root_;
  std::optional<ExportError> error_;
};

}  // namespace

nlohmann::json unsigned_json(const ExportManifest& m) {
  nlohmann::json selection = {
      {"by", m.selection.by}, {"from_seq", m.selection.from_seq}, {"to_seq", m.selection.to_seq}};
  if (m.selection.by == "time") {
    selection["since"] = m.selection.since;
    selection["until"] = m.selection.until;
  }
  return {
      {"manifest_version", m.manifest_version},
      {"format", std::string(to_string(m.format))},
      {"file", {{"name", m.file_name}, {"sha256", m.file_sha256}, {"bytes", m.file_bytes}}},
      {"records",
       {{"count", m.record_count},
        {"first_seq", m.first_seq},
        {"first_prev_hash", m.first_prev_hash},
        {"last_seq", m.last_seq},
        {"last_hash", m.last_hash},
        {"earliest_recorded_at", m.earliest_recorded_at},
        {"latest_recorded_at", m.latest_recorded_at}}},
      {"log_head", {{"seq", m.log_head_seq}, {"hash", m.log_head_hash}}},
      {"selection", std::move(selection)},
      {"exported_at", m.exported_at},
      {"exported_by", m.exported_by},
      {"gateway_instance", m.gateway_instance},
      {"key_id", m.key_id},
      {"signature_algorithm", m.signature_algorithm},
  };
}

std::expected<std::string, ExportError> signed_bytes(const ExportManifest& manifest) {
  auto text = canonical_json(unsigned_json(manifest));
  if (!text) return std::unexpected(ExportError{"manifest_malformed", text.error().pointer, text.error().message});
  return *text;
}

std::string manifest_text(const ExportManifest& manifest) {
  nlohmann::json j = unsigned_json(manifest);
  j["signature"] = manifest.signature;
  return j.dump(2, ' ', /*ensure_ascii=*/false) + "\n";
}

std::expected<SignedManifest, ExportError> read_signed_manifest(std::string_view text) {
  SignedManifest out;
  out.root = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (out.root.is_discarded() || !out.root.is_object()) {
    return std::unexpected(ExportError{"manifest_malformed", "", "the manifest is not a JSON object"});
  }
  for (auto [field, target] : {std::pair{"key_id", &out.key_id}, std::pair{"signature", &out.signature}}) {
    auto it = out.root.find(field);
    if (it == out.root.end() || !it->is_string()) {
      return std::unexpected(ExportError{"manifest_malformed", std::string("/") + field,
                                         std::string("manifest field /") + field + " is missing or not a string"});
    }
    *target = it->get<std::string>();
  }
  nlohmann::json covered = out.root;
  covered.erase("signature");
  auto canonical = canonical_json(covered);
  if (!canonical) {
    return std::unexpected(ExportError{"manifest_malformed", canonical.error().pointer,
                                       "the manifest has no canonical form: " + canonical.error().message});
  }
  out.signed_text = std::move(*canonical);
  return out;
}

std::expected<ExportManifest, ExportError> manifest_fields(const nlohmann::json& root) {
  FieldReader r(root);
  ExportManifest m;
  m.manifest_version = static_cast<int>(r.number("/manifest_version", 1));
  if (!r.error() && m.manifest_version != 1) r.fail("/manifest_version", "is not a version this verifier knows (1)");
  const std::string format = r.text("/format");
  if (!r.error()) {
    if (auto f = parse_export_format(format)) {
      m.format = *f;
    } else {
      r.fail("/format", "must be \"jsonl\" or \"csv\"");
    }
  }
  m.file_name = r.text("/file/name");
  m.file_sha256 = r.hex("/file/sha256", 64);
  m.file_bytes = r.number("/file/bytes", 0);
  m.record_count = r.number("/records/count", 1);
  m.first_seq = r.number("/records/first_seq", 1);
  m.first_prev_hash = r.hex("/records/first_prev_hash", 64);
  m.last_seq = r.number("/records/last_seq", 1);
  m.last_hash = r.hex("/records/last_hash", 64);
  m.earliest_recorded_at = r.text("/records/earliest_recorded_at");
  m.latest_recorded_at = r.text("/records/latest_recorded_at");
  m.log_head_seq = r.number("/log_head/seq", 1);
  m.log_head_hash = r.hex("/log_head/hash", 64);
  m.selection.by = r.text("/selection/by");
  m.selection.from_seq = r.number("/selection/from_seq", 1);
  m.selection.to_seq = r.number("/selection/to_seq", 1);
  if (!r.error() && m.selection.by == "time") {
    m.selection.since = r.text("/selection/since", true);
    m.selection.until = r.text("/selection/until", true);
  } else if (!r.error() && m.selection.by != "seq") {
    r.fail("/selection/by", "must be \"seq\" or \"time\"");
  }
  m.exported_at = r.text("/exported_at");
  m.exported_by = r.text("/exported_by");
  m.gateway_instance = r.text("/gateway_instance");
  m.key_id = r.hex("/key_id", 16);
  m.signature_algorithm = r.text("/signature_algorithm");
  if (!r.error() && m.signature_algorithm != "Ed25519") r.fail("/signature_algorithm", "must be \"Ed25519\"");
  m.signature = r.hex("/signature", 128);
  if (!r.error()) {
    if (m.last_seq < m.first_seq || m.record_count != m.last_seq - m.first_seq + 1) {
      r.fail("/records/count", "does not equal last_seq - first_seq + 1");
    } else if (m.log_head_seq < m.last_seq) {
      r.fail("/log_head/seq", "is before the export's last seq");
    }
  }
  if (r.error()) return std::unexpected(*r.error());
  return m;
}

}  // namespace knutpunkt::audit_export
