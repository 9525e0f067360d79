#include "ssbtek_config.h"

#include <algorithm>
#include <limits>
#include <regex>

#include "config/field_reader.h"
#include "net/tls_config.h"
#include "ssbtek_sources.h"

namespace knutpunkt::ssbtek {

namespace {

constexpr std::string_view kTimeout = "must be an integer number of milliseconds between 1 and 600000";

void required_string(FieldReader& f, std::string_view key, std::string& out) {
  constexpr std::string_view message = "is required as a non-empty string";
  f.require(key, std::string(message));
  f.non_empty_string(key, out, message);
}

void read_endpoint(FieldReader& f, const std::filesystem::path& base_dir, SsbtekConfig& out) {
  std::string endpoint;
  required_string(f, "endpoint", endpoint);
  if (!f.ok()) return;
  auto url = net::parse_http_url(endpoint);
  if (!url) return f.fail("endpoint", url.error());
  out.endpoint = *url;
  net::read_tls(f, endpoint, base_dir, out.tls);
}

void read_ingivare(FieldReader& f, SsbtekConfig& out) {
  const nlohmann::json* ingivare = f.field("ingivare");
  if (ingivare == nullptr || !ingivare->is_object()) {
    return f.fail("ingivare", "is required as an object with organisationsnummer and namn");
  }
  f.object("ingivare", [&](FieldReader& g) {
    g.only({"organisationsnummer", "namn"});
    required_string(g, "organisationsnummer", out.organisationsnummer);
    // SSBTEK's Organisationsnummer type: 12 digits, the group digit (5th) at least 2.
    if (g.ok() && !std::regex_match(out.organisationsnummer, std::regex("[0-9]{4}[2-9][0-9]{7}"))) {
      g.fail("organisationsnummer", "must be 12 digits in SSBTEK's form, e.g. 162120000142");
    }
    required_string(g, "namn", out.organisation_name);
  });
}

void read_source_timeouts(FieldReader& f, std::map<std::string, std::chrono::milliseconds>& out) {
  f.object("source_timeouts_ms", [&](FieldReader& t) {
    for (const auto& [source, _] : t.value().items()) {
      if (std::find(kSources.begin(), kSources.end(), source) == kSources.end()) {
        t.fail(source, "is not an SSBTEK source code (AF, CSN, FK, SKV, SO, TNS, MIV)");
      }
      t.millis(source, out[source], 1, 600000, kTimeout);
    }
  });
}

void read_contract_version(FieldReader& f, std::string& out) {
  std::string known;
  for (const auto& contract : kContracts) known += (known.empty() ? "" : ", ") + std::string(contract.version);
  const std::string message = "must be an SSBTEK contract version this gateway speaks (" + known + ")";
  std::string version = out;
  f.non_empty_string("contract_version", version, message);
  if (f.ok() && !find_contract(version)) return f.fail("contract_version", message);
  out = version;
}

}  // namespace

std::expected<SsbtekConfig, ConfigError> read_ssbtek_config(const nlohmann::json& config, const std::string& pointer,
                                                            const std::filesystem::path& base_dir) {
  if (!config.is_object()) return std::unexpected(ConfigError{pointer, "must be an object"});
  FieldReader f(config, pointer);
  SsbtekConfig out;
  std::string schema, mappings;
  read_endpoint(f, base_dir, out);
  read_ingivare(f, out);
  required_string(f, "fk_aktorsid", out.fk_aktorsid);
  required_string(f, "schema", schema);
  required_string(f, "mappings", mappings);
  out.schema = resolve_path(base_dir, schema);
  out.mappings = resolve_path(base_dir, mappings);
  f.millis("source_timeout_ms", out.source_timeout, 1, 600000, kTimeout);
  read_source_timeouts(f, out.source_timeouts);
  f.integer("max_reply_bytes", out.max_reply_bytes, 1024, std::numeric_limits<long long>::max(), Presence::optional,
            "must be an integer of at least 1024");
  f.code("exchange", out.exchange, {{"per_lookup", Exchange::per_lookup}, {"per_source", Exchange::per_source}},
         "must be \"per_lookup\" or \"per_source\"");
  read_contract_version(f, out.contract_version);
  f.only({"endpoint", "ingivare", "fk_aktorsid", "schema", "mappings", "source_timeout_ms", "source_timeouts_ms",
          "max_reply_bytes", "exchange", "contract_version", "tls"},
         "is not a known setting of the ssbtek adapter");
  if (!f.ok()) return std::unexpected(f.error());
  return out;
}

}  // namespace knutpunkt::ssbtek
