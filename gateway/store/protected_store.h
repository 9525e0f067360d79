#pragma once
// Persons a partner flagged as having protected identity (skyddad identitet).
#include <expected>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "store/protected_records.h"
#include "store/store_error.h"

namespace knutpunkt {

class ProtectedStore {
 public:
  virtual ~ProtectedStore() = default;

  // Whether any partner has ever flagged the person as protected.
  virtual std::expected<bool, StoreError> is_protected(const std::string& person_id) = 0;
};

}  // namespace knutpunkt
