#include "ssbtek_config.h"

#include "ssbtek_sources.h"

#include <algorithm>
#include <regex>

namespace knutpunkt::ssbtek {

namespace {

std::expected<std::string, ConfigError> required_string(const nlohmann::json& config, const std::string& key,
                                                        const std::string& pointer) {
  auto it = config.find(key);
  if (it == config.end() || !it->is_string() || it->get<std::string>().empty()) {
    return std::unexpected(ConfigError{pointer + "/" + key, "is required as a non-empty string"});
  }
  return it->get<std::string>();
}

std::expected<std::chrono::milliseconds, ConfigError> positive_ms(const nlohmann::json& value, const std::string& field) {
  if (!value.is_number_integer() || value.get<long long>() <= 0 || value.get<long long>() > 600000) {
    return std::unexpected(ConfigError{field, "must be an integer number of milliseconds between 1 and 600000"});
  }
  return std::chrono::milliseconds{value.get<long long>()};
}

std::filesystem::path resolve(const std::filesystem::path& base_dir, const std::string& path) {
  std::filesystem::path p(path);
  return p.is_absolute() ? p : base_dir / p;
}

}  // namespace

std::expected<SsbtekConfig, ConfigError> parse_ssbtek_config(const nlohmann::json& config, const std::string& pointer,
                                                             const std::filesystem::path& base_dir) {
  if (!config.is_object()) return std::unexpected(ConfigError{pointer, "must be an object"});
  SsbtekConfig out;

  auto endpoint = required_string(config, "endpoint", pointer);
  if (!endpoint) return std::unexpected(endpoint.error());
  auto url = net::parse_http_url(*endpoint);
  if (!url) return std::unexpected(ConfigError{pointer + "/endpoint", url.error()});
  out.endpoint = *url;

  auto ingivare = config.find("ingivare");
  if (ingivare == config.end() || !ingivare->is_object()) {
    return std::unexpected(ConfigError{pointer + "/ingivare", "is required as an object with organisationsnummer and namn"});
  }
  for (const auto& [key, _] : ingivare->items()) {
    if (key != "organisationsnummer" && key != "namn") {
      return std::unexpected(ConfigError{pointer + "/ingivare/" + key, "unknown field"});
    }
  }
  auto orgnr = required_string(*ingivare, "organisationsnummer", pointer + "/ingivare");
  if (!orgnr) return std::unexpected(orgnr.error());
  // SSBTEK's Organisationsnummer type: 12 digits, the group digit (5th) at least 2.
  if (!std::regex_match(*orgnr, std::regex("[0-9]{4}[2-9][0-9]{7}"))) {
    return std::unexpected(ConfigError{pointer + "/ingivare/organisationsnummer",
                                       "must be 12 digits in SSBTEK's form, e.g. 162120000142"});
  }
  out.organisationsnummer = *orgnr;
  auto namn = required_string(*ingivare, "namn", pointer + "/ingivare");
  if (!namn) return std::unexpected(namn.error());
  out.organisation_name = *namn;

  auto aktorsid = required_string(config, "fk_aktorsid", pointer);
  if (!aktorsid) return std::unexpected(aktorsid.error());
  out.fk_aktorsid = *aktorsid;

  auto schema = required_string(config, "schema", pointer);
  if (!schema) return std::unexpected(schema.error());
  out.schema = resolve(base_dir, *schema);
  auto mappings = required_string(config, "mappings", pointer);
  if (!mappings) return std::unexpected(mappings.error());
  out.mappings = resolve(base_dir, *mappings);

  if (auto it = config.find("source_timeout_ms"); it != config.end()) {
    auto ms = positive_ms(*it, pointer + "/source_timeout_ms");
    if (!ms) return std::unexpected(ms.error());
    out.source_timeout = *ms;
  }
  if (auto it = config.find("source_timeouts_ms"); it != config.end()) {
    if (!it->is_object()) return std::unexpected(ConfigError{pointer + "/source_timeouts_ms", "must be an object"});
    for (const auto& [source, value] : it->items()) {
      const std::string field = pointer + "/source_timeouts_ms/" + source;
      if (std::find(kSources.begin(), kSources.end(), source) == kSources.end()) {
        return std::unexpected(ConfigError{field, "is not an SSBTEK source code (AF, CSN, FK, SKV, SO, TNS, MIV)"});
      }
      auto ms = positive_ms(value, field);
      if (!ms) return std::unexpected(ms.error());
      out.source_timeouts[source] = *ms;
    }
  }
  if (auto it = config.find("max_reply_bytes"); it != config.end()) {
    if (!it->is_number_unsigned() || it->get<std::size_t>() < 1024) {
      return std::unexpected(ConfigError{pointer + "/max_reply_bytes", "must be an integer of at least 1024"});
    }
    out.max_reply_bytes = it->get<std::size_t>();
  }
  if (auto it = config.find("exchange"); it != config.end()) {
    if (*it == "per_lookup") {
      out.exchange = Exchange::per_lookup;
    } else if (*it == "per_source") {
      out.exchange = Exchange::per_source;
    } else {
      return std::unexpected(ConfigError{pointer + "/exchange", "must be \"per_lookup\" or \"per_source\""});
    }
  }
  if (auto it = config.find("contract_version"); it != config.end()) {
    if (!it->is_string() || !find_contract(it->get<std::string>())) {
      std::string known;
      for (const auto& contract : kContracts) known += (known.empty() ? "" : ", ") + std::string(contract.version);
      return std::unexpected(ConfigError{pointer + "/contract_version", "must be an SSBTEK contract version this gateway speaks (" + known + ")"});
    }
    out.contract_version = it->get<std::string>();
  }
  for (const auto& [key, value] : config.items()) {
    static const std::vector<std::string> known = {"endpoint", "ingivare", "fk_aktorsid", "schema", "mappings",
                                                   "source_timeout_ms", "source_timeouts_ms", "max_reply_bytes",
                                                   "exchange", "contract_version"};
    if (std::find(known.begin(), known.end(), key) == known.end()) {
      return std::unexpected(ConfigError{pointer + "/" + key, "is not a known setting of the ssbtek adapter"});
    }
  }
  return out;
}

}  // namespace knutpunkt::ssbtek
