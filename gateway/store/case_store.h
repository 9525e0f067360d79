#pragma once
// Cases and their households.
#include <expected>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "store/case_records.h"
#include "store/store_error.h"

namespace knutpunkt {

class CaseStore {
 public:
  virtual ~CaseStore() = default;

  // The organisation's case; none for the empty organisation.
  virtual std::expected<std::optional<CaseRecord>, StoreError> case_file(const std::string& organisation,
                                                                         const std::string& case_id) = 0;
  // Every open case, of any client, whose household includes the person: where a partner's news
  // about that person belongs.
  virtual std::expected<std::vector<CaseRecord>, StoreError> open_cases_with_member(const std::string& person_id) = 0;
};

}  // namespace knutpunkt
