#include "mapping/versioned_mapping.h"

#include <algorithm>

namespace knutpunkt::mapping {

VersionedMapping::VersionedMapping(std::vector<Mapping> versions) : versions_(std::move(versions)) {
  std::stable_partition(versions_.begin(), versions_.end(), [](const Mapping& m) { return m.recognises_versions(); });
}

template <typename Input>
std::expected<MappingResult, MappingError> VersionedMapping::apply_first(const Input& input,
                                                                         const ApplyLimits& limits) const {
  std::expected<MappingResult, MappingError> result =
      std::unexpected(MappingError{"contract_version_mismatch", "", "no mapping version"});
  std::string seen;
  for (const Mapping& version : versions_) {
    result = version.apply(input, limits);
    if (result || result.error().code != "contract_version_mismatch") return result;
    if (!seen.empty()) seen += "; ";
    seen += result.error().message;
  }
  if (versions_.size() > 1) result.error().message = seen;
  return result;
}

std::expected<MappingResult, MappingError> VersionedMapping::apply(const xml::Document& reply,
                                                                   const ApplyLimits& limits) const {
  return apply_first(reply, limits);
}

std::expected<MappingResult, MappingError> VersionedMapping::apply(const nlohmann::json& message,
                                                                   const ApplyLimits& limits) const {
  return apply_first(message, limits);
}

std::expected<std::map<std::string, VersionedMapping>, MappingError> load_versioned_mappings(
    const std::filesystem::path& dir, const std::filesystem::path& schema_dir) {
  auto loaded = load_mappings(dir, schema_dir);
  if (!loaded) return std::unexpected(loaded.error());
  std::map<std::string, std::vector<Mapping>> by_source;
  for (auto& [stem, mapping] : *loaded) by_source[stem.substr(0, stem.find('.'))].push_back(std::move(mapping));
  std::map<std::string, VersionedMapping> out;
  for (auto& [source, versions] : by_source) {
    const auto catch_all =
        std::count_if(versions.begin(), versions.end(), [](const Mapping& m) { return !m.recognises_versions(); });
    if (catch_all > 1) {
      return std::unexpected(
          MappingError{"mapping_invalid", (dir / (source + ".*.json")).string(),
                       "several versions of " + source +
                           " without contract.recognised_by: which one reads a reply would be a guess"});
    }
    out.emplace(source, VersionedMapping(std::move(versions)));
  }
  return out;
}

}  // namespace knutpunkt::mapping
