#pragma once
// Every contract version of one source's mapping, side by side. A partner moving from one version
// of its document to the next answers in both for a while (CSN's kommunfraga 3.0 and 4.0), and two
// municipalities on one gateway may move at different times, so the version is read off each reply
// (the mapping's "contract.recognised_by"), never assumed.
#include <expected>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "mapping/mapping.h"

namespace knutpunkt::mapping {

class VersionedMapping {
 public:
  // In the order they are tried: mappings with a recognised_by test first, then at most one
  // without (which reads whatever the others did not claim).
  explicit VersionedMapping(std::vector<Mapping> versions);

  // The first version that recognises the reply maps it; when none does, the error is
  // "contract_version_mismatch" naming what was seen.
  std::expected<MappingResult, MappingError> apply(const xml::Document& reply, const ApplyLimits& limits = {}) const;
  std::expected<MappingResult, MappingError> apply(const nlohmann::json& message, const ApplyLimits& limits = {}) const;

  const std::vector<Mapping>& versions() const { return versions_; }

 private:
  template <typename Input>
  std::expected<MappingResult, MappingError> apply_first(const Input& input, const ApplyLimits& limits) const;

  std::vector<Mapping> versions_;
};

// Every mapping in `dir` (as load_mappings reads them), grouped by source: "CSN.json" and
// "CSN.3.0.json" are both versions of "CSN" (the file name up to its first dot). Errors as
// load_mappings, plus "mapping_invalid" when two files of one source lack a recognised_by test.
std::expected<std::map<std::string, VersionedMapping>, MappingError> load_versioned_mappings(
    const std::filesystem::path& dir, const std::filesystem::path& schema_dir);

}  // namespace knutpunkt::mapping
