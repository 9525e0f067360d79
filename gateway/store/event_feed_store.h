#pragma once
// The case-event feed each client pulls.
#include <cstdint>
#include <expected>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "store/delivery_records.h"
#include "store/store_error.h"

namespace knutpunkt {

class EventFeedStore {
 public:
  virtual ~EventFeedStore() = default;

  // Events of one client with seq > after_seq, in seq order (the pull feed's stable order).
  virtual std::expected<std::vector<StoredEvent>, StoreError> events_after(const std::string& client_id,
                                                                           std::int64_t after_seq, int limit) = 0;
};

}  // namespace knutpunkt
