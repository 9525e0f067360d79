#pragma once
// The manual-handling queue: exchanges the gateway held back (a protected person's referral) for
// an operator to handle by another channel. Listing names cases and resolving is an act someone
// answers for, so both are prepared here as audited writes; a resolution is final and asking
// for it again changes nothing.
#include <chrono>
#include <expected>
#include <string>
#include <variant>

#include "audit/audited_write.h"
#include "store/store.h"

namespace knutpunkt {

nlohmann::json to_json(const ManualItem& item);

struct ManualPageQuery {
  std::string status = "open";  // open | resolved | all
  std::string after;            // an item id from an earlier page
  int limit = 100;
};

struct UnknownCursor {};  // `after` names no item
struct ManualPage {
  nlohmann::json page;  // {"items", "next_cursor"?}
  AuditedWrite write;   // manual_handling.read
};

struct NoSuchItem {};
struct AlreadyResolved {
  ManualItem item;
};
struct Resolution {
  ManualItem item;  // as it will be stored
  AuditedWrite write;
};

class ManualQueue {
 public:
  explicit ManualQueue(Store& store) : store_(store) {}

  std::expected<std::variant<UnknownCursor, ManualPage>, StoreError> page(const std::string& reader,
                                                                          const ManualPageQuery& query) const;

  std::expected<std::variant<NoSuchItem, AlreadyResolved, Resolution>, StoreError> prepare_resolution(
      const std::string& item_id, const std::string& resolved_by, const std::string& note,
      std::chrono::system_clock::time_point now) const;

 private:
  Store& store_;
};

}  // namespace knutpunkt
