#pragma once
// Which gateway instance delivers an ordering key's messages. Order holds per (destination,
// ordering key), so one instance at a time sends a key's messages: it holds the key's lease,
// renews it while it has work, and releases it when the work is done. An instance that dies
// stops renewing; once its leases expire, another instance claims the keys and goes on. Every
// change of holder gives the lease a new token, and an attempt is recorded only under the token
// it was started with (store_write::LeaseFence), so a holder that was paused past its lease can
// never settle an attempt for a key another instance has taken over.
#include <compare>
#include <cstdint>
#include <expected>
#include <optional>
#include <string>
#include <vector>

#include "core/outbox_message.h"
#include "store/store_error.h"

namespace knutpunkt {

struct LaneKey {
  std::string destination;
  std::string ordering_key;
  auto operator<=>(const LaneKey&) const = default;
};

struct DeliveryLease {
  std::string holder;
  std::int64_t token = 0;
  std::int64_t expires_at_ms = 0;
};

// A lease as its holder knows it: the token it holds the key under.
struct HeldLease {
  LaneKey key;
  std::int64_t token = 0;
};

class DeliveryLeaseStore {
 public:
  virtual ~DeliveryLeaseStore() = default;

  // The key's lease, live or expired; nullopt when the key never had one or it was released.
  virtual std::expected<std::optional<DeliveryLease>, StoreError> lease(const LaneKey& key) = 0;

  // Takes the key for `holder` until `until_ms` if it is free, expired at `now_ms`, or already
  // the holder's; returns the token it is now held under, or nullopt when another holder's lease
  // is live. The token changes whenever the holder does.
  virtual std::expected<std::optional<std::int64_t>, StoreError> claim_lease(const LaneKey& key,
                                                                             const std::string& holder,
                                                                             std::int64_t now_ms,
                                                                             std::int64_t until_ms) = 0;

  // Extends, in one transaction, every lease `holder` still holds under the given token, to
  // `until_ms`; returns those it no longer holds (another instance took them over).
  virtual std::expected<std::vector<LaneKey>, StoreError> renew_leases(const std::string& holder,
                                                                       const std::vector<HeldLease>& leases,
                                                                       std::int64_t until_ms) = 0;

  // Gives the keys up (only those still held under the given token), so another instance may
  // claim them at once instead of after expiry.
  virtual std::expected<void, StoreError> release_leases(const std::string& holder,
                                                         const std::vector<HeldLease>& leases) = 0;

  // The first undelivered message (pending or dead) of every key whose lease is free, expired
  // at `now_ms`, or `holder`'s own, when that message is a dead letter or a pending message due
  // by `due_by_ms`; in position order after `after_position`, at most `limit`. A dead first message is returned so its
  // key's holder keeps it back (and can replay it); later messages of a key are never returned.
  virtual std::expected<std::vector<OutboxMessage>, StoreError> claimable_messages(const std::string& holder,
                                                                                   std::int64_t now_ms,
                                                                                   std::int64_t due_by_ms,
                                                                                   std::int64_t after_position,
                                                                                   int limit) = 0;

  // Every undelivered message (pending or dead) of the key, in position order, payload left
  // null: what the key's new holder loads.
  virtual std::expected<std::vector<OutboxMessage>, StoreError> undelivered_messages(const LaneKey& key) = 0;
};

}  // namespace knutpunkt
