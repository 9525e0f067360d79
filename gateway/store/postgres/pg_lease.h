#pragma once
// Delivery leases (store/delivery_lease_store.h) in PostgreSQL. Several instances claim, renew
// and fence on the same rows at once here, so every change of a lease is one statement whose
// WHERE clause decides under the row's lock: never a read followed by a write.
#include <cstdint>
#include <expected>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "store/delivery_lease_store.h"
#include "store/delivery_records.h"
#include "store/postgres/pg_connection.h"
#include "store/store_writes.h"

namespace knutpunkt::pg {

std::string_view lease_schema();

std::expected<std::optional<DeliveryLease>, StoreError> lease(Connection& c, const LaneKey& key);
// The token the key is now held under by `holder`, or nullopt when another holder's lease is live.
std::expected<std::optional<std::int64_t>, StoreError> claim_lease(Connection& c, const LaneKey& key,
                                                                   const std::string& holder, std::int64_t now_ms,
                                                                   std::int64_t until_ms);
// The keys of `leases` that `holder` no longer holds under their token; the others extended.
std::expected<std::vector<LaneKey>, StoreError> renew_leases(Connection& c, const std::string& holder,
                                                             const std::vector<HeldLease>& leases,
                                                             std::int64_t until_ms);
std::expected<void, StoreError> release_leases(Connection& c, const std::string& holder,
                                               const std::vector<HeldLease>& leases);
std::expected<std::vector<OutboxMessage>, StoreError> claimable_messages(Connection& c, const std::string& holder,
                                                                         std::int64_t now_ms, std::int64_t due_by_ms,
                                                                         std::int64_t after_position, int limit);
std::expected<std::vector<OutboxMessage>, StoreError> undelivered_messages(Connection& c, const LaneKey& key);

// Inside a commit's transaction: the claim of an EnqueueMessage (a key another holder has stays
// with it), and the fence of a RecordAttempt ("lease_lost" when the token no longer holds).
std::expected<void, StoreError> claim_in_commit(Connection& c, const LaneKey& key,
                                                const store_write::LeaseClaim& claim);
std::expected<void, StoreError> check_fence(Connection& c, const store_write::LeaseFence& fence);
// Whether an attempt among `writes` was started under a lease its instance no longer holds. The
// lease rows still held are locked until the commit ends, so no claim can take one over between
// this check and the attempt's record.
std::expected<bool, StoreError> lease_lost(Connection& c, const std::vector<StoreWrite>& writes);

}  // namespace knutpunkt::pg
