#pragma once
// Durable delivery: sends what the outbox holds to each destination, retrying with backoff and
// jitter, behind a circuit breaker per destination, in order per ordering key, and records every
// attempt in the audit chain together with the message's new state (one transaction). A message
// that exhausts its retry budget, or that the receiver refuses for good, becomes a dead letter
// and holds back later messages with the same ordering key until an operator replays it.
//
// Delivery is at least once; receivers see each message once because every attempt carries the
// message id as Idempotency-Key. Nothing lives only in memory: on start the engine reloads what
// the store says is undelivered, so a crash at any point loses nothing.
//
// Several instances may share one store. Each delivers only the ordering keys it holds a lease on
// (store/delivery_lease_store.h): what it accepts it usually claims in the acceptance transaction,
// it renews its leases every tick and releases keys it is done with, and it takes over keys whose
// holder stopped renewing. Every attempt is recorded under the lease token it was started with,
// so an instance paused past its lease records nothing for a key another instance took over.
#include <chrono>
#include <cstdint>
#include <deque>
#include <expected>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <random>
#include <set>
#include <string>
#include <tuple>
#include <unordered_map>
#include <vector>

#include "audit/audit_log.h"
#include "core/in_flight_claims.h"
#include "core/io_context_fwd.h"
#include "core/outbound_adapter.h"
#include "delivery/circuit_breaker.h"
#include "delivery/delivery_metrics.h"
#include "delivery/delivery_settings.h"
#include "delivery/retry_policy.h"
#include "net/http_client.h"
#include "store/delivery_lease_store.h"
#include "store/store.h"

namespace knutpunkt::delivery {

// A message reached its end (delivered, dead-lettered or withheld). Returns writes to commit in
// the same transaction as that attempt record, e.g. the case event telling the case system a
// referral was sent. EnqueueMessage writes among them are scheduled once durable.
using SettlementHook = std::function<std::vector<StoreWrite>(const OutboxMessage& message, MessageStatus status,
                                                             const std::string& reason)>;

// Asked before every attempt (replays included): the reason a message may no longer be sent
// (e.g. the client withdrew the consent a SIP plan was shared under), or nullopt to send it. A
// withheld message ends as MessageStatus::withheld and is never sent or replayed; later messages
// with its ordering key go on. Runs on an io thread: it must be quick (one store read).
using ReleaseCheck = std::function<std::optional<std::string>(const OutboxMessage& message)>;

enum class ReplayOutcome { replayed, not_dead, not_found, unavailable };
struct ReplayResult {
  ReplayOutcome outcome;
  std::string status;  // the message's status after the call
};

class DeliveryEngine {
 public:
  DeliveryEngine(boost::asio::io_context& io, net::HttpClient& http, Store& store, AuditLog& audit);
  ~DeliveryEngine();
  DeliveryEngine(const DeliveryEngine&) = delete;
  DeliveryEngine& operator=(const DeliveryEngine&) = delete;

  // Before start(). The adapter must outlive the engine.
  void add_destination(DestinationSettings settings, OutboundAdapter& adapter);
  bool has_destination(const std::string& name) const;
  // Each service registers the rules for its own message types (e.g. ReferralService::register_with),
  // so the engine never needs to know which service a type belongs to. One handler and one check
  // per type; registering a type again replaces the earlier one.
  void add_settlement_handler(std::string message_type, SettlementHook handler);
  // For messages of a type with no handler of its own.
  void set_default_settlement_handler(SettlementHook handler);
  // Asked before every attempt of a message of `message_type`; other types are sent unasked.
  void add_release_check(std::string message_type, ReleaseCheck check);
  // Before start(): this instance's id and lease timing.
  void set_leases(LeaseSettings settings);
  // Before start(): the wall clock leases expire by (milliseconds since the epoch).
  void set_clock(std::function<std::int64_t()> clock);
  const std::string& instance_id() const { return leases_.holder; }

  // Claims every key no other live instance holds, loads its undelivered messages and dead
  // letters (which hold back later messages with their ordering key until replayed) and starts
  // sending, renewing its leases and taking over keys whose holder stopped renewing. Call before
  // anything is submitted.
  std::expected<void, StoreError> start();
  // Stops starting attempts and releases this instance's leases; attempts under way finish or
  // are abandoned (the store still says pending, so another instance or a restart tries again).
  void stop();

  // Commits one audit record with its writes (AuditLog::append). Every EnqueueMessage among the
  // writes is scheduled once durable, as it is for any append: the engine observes what the
  // audit log commits, so there is no path that enqueues without scheduling. `on_durable` runs on
  // the audit writer thread, after the messages are scheduled.
  void submit(std::string kind, nlohmann::json body, std::vector<StoreWrite> writes, AuditLog::OnDurable on_durable);

  // Replays a dead letter with a fresh retry budget; audited as "delivery.replayed" with `who`.
  void replay(const std::string& message_id, const std::string& who, std::function<void(ReplayResult)> done);

  // The message this one waits for (same destination and ordering key), if it is held back.
  std::optional<std::string> waiting_for(const std::string& message_id) const;

  std::vector<DestinationMetrics> metrics() const;

 private:
  struct Entry {
    std::string id;
    std::string type;
    std::string ordering_key;
    std::string client_id;
    std::string case_id;
    std::int64_t position = 0;
    int attempts = 0;
    int cycle_attempts = 0;
    std::int64_t created_at_ms = 0;
    std::int64_t cycle_started_at_ms = 0;
    std::int64_t due_ms = 0;
    bool dead = false;
    bool in_flight = false;
    std::int64_t replay_at_ms = 0;  // a replay committed while the dead-lettering attempt settled
    std::int64_t lease_token = 0;   // the key's lease token the attempt under way was started under
  };
  struct Lane;
  struct AttemptResult;
  struct LeaseTimer;

  void schedule_locked(Lane& lane, Entry entry);
  void make_ready_locked(Lane& lane, const std::string& key);
  // Starts what may start now; returns the attempts to launch outside the lock.
  std::vector<std::pair<Lane*, Entry>> take_due_locked(Lane& lane);
  void pump(Lane& lane);
  void launch(Lane& lane, Entry entry);
  void conclude(Lane& lane, Entry entry, AttemptResult result);
  void settle(Lane& lane, const Entry& entry, const AttemptResult& result, std::optional<StoreError> failure);
  // The key's lease was taken over: its messages are the new holder's now.
  void lose_key_locked(Lane& lane, const std::string& ordering_key, const std::string& message_id);
  // Takes the key if no other live instance holds it and loads its undelivered messages; false
  // when another instance holds it. Caller holds adopt_mutex_.
  std::expected<bool, StoreError> adopt_key(const LaneKey& key, bool claim_own);
  // Renews the leases held, releases keys with nothing left, revives dead letters replayed
  // elsewhere and takes over keys nobody holds.
  void lease_tick();
  void schedule_lease_tick();
  std::expected<std::size_t, StoreError> take_over(bool claim_own);
  Entry entry_from(const OutboxMessage& m) const;
  std::int64_t wall_now() const { return clock_(); }
  std::chrono::milliseconds tick_period() const { return leases_.tick.count() > 0 ? leases_.tick : leases_.length / 3; }
  // launch() found the store has settled this message (status) although memory says pending.
  void follow_store(Lane& lane, const Entry& entry, MessageStatus status);
  static void count_attempt(Entry& front, const Entry& started, int number);
  // Forgets the key's front, done with for good; true when that emptied the key.
  bool retire_front_locked(Lane& lane, const std::string& ordering_key);
  // After this instance emptied a key it holds: loads what others enqueued for it meanwhile.
  void adopt_drained(const LaneKey& key, const std::string& message_id);
  void free_slot(Lane& lane);
  // The audit log's enqueue observer (AuditLog::observe_enqueued), called on the writer thread.
  // Correct however many threads append: the observer sees every committed batch once, whether
  // it came through submit(), a settlement's writes or AuditLog::append directly.
  void schedule_enqueued(const std::vector<OutboxMessage>& messages);
  Lane* lane_for(const std::string& destination);
  double random01();

  boost::asio::io_context& io_;
  net::HttpClient& http_;
  Store& store_;
  AuditLog& audit_;
  SettlementHook settlement_handler_locked(const std::string& message_type) const;
  ReleaseCheck release_check_locked(const std::string& message_type) const;

  mutable std::mutex mutex_;
  std::map<std::string, SettlementHook> settlement_handlers_;  // by message type
  SettlementHook default_settlement_handler_;
  std::map<std::string, ReleaseCheck> release_checks_;  // by message type
  std::map<std::string, std::unique_ptr<Lane>> lanes_;
  // Every message in memory: id -> (destination, ordering key), for waiting_for and replay.
  std::unordered_map<std::string, std::pair<std::string, std::string>> index_;
  std::mt19937_64 random_{std::random_device{}()};
  InFlightClaims<std::string> replaying_;  // message ids whose replay is being committed
  LeaseSettings leases_;
  std::function<std::int64_t()> clock_;
  // Keys this instance holds, with their lease tokens (under mutex_).
  std::map<LaneKey, std::int64_t> held_;
  // Serialises taking keys (the enqueue observer, takeover, replay) with releasing them, so a
  // key is never released while a message for it is being adopted. Taken before mutex_.
  std::mutex adopt_mutex_;
  std::unique_ptr<LeaseTimer> lease_timer_;
  bool stopped_ = false;
  bool loaded_ = false;  // start() has read the outbox
};

}  // namespace knutpunkt::delivery
