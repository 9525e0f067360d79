#pragma once
// Consents as recorded, withdrawn ones included.
#include <expected>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "store/consent_records.h"
#include "store/store_error.h"

namespace knutpunkt {

class ConsentStore {
 public:
  virtual ~ConsentStore() = default;

  virtual std::expected<std::optional<ConsentRecord>, StoreError> consent(const std::string& consent_id) = 0;
  // Every consent recorded for the person, newest first, withdrawn and expired ones included.
  virtual std::expected<std::vector<ConsentRecord>, StoreError> consents_for_person(const std::string& person_id) = 0;
};

}  // namespace knutpunkt
