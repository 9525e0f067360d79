#pragma once
// Messages that need a person to handle them.
#include <expected>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "store/manual_records.h"
#include "store/store_error.h"

namespace knutpunkt {

class ManualStore {
 public:
  virtual ~ManualStore() = default;

  // Items with `status` ("open", "resolved", or "" for all), oldest first, after item `after_id`
  // in that order (cursor; "" = from the start).
  virtual std::expected<std::vector<ManualItem>, StoreError> manual_items(const std::string& status,
                                                                          const std::string& after_created_at,
                                                                          const std::string& after_id, int limit) = 0;
  virtual std::expected<std::optional<ManualItem>, StoreError> manual_item(const std::string& item_id) = 0;
};

}  // namespace knutpunkt
