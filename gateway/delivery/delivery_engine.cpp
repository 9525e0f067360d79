#include "delivery/delivery_engine.h"

#include <unistd.h>

#include <algorithm>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <cstdio>

#include "core/clock.h"
#include "log/log.h"

namespace knutpunkt::delivery {
namespace {

using SteadyClock = std::chrono::steady_clock;
using std::chrono::milliseconds;

int breaker_gauge(BreakerState s) {
  switch (s) {
    case BreakerState::closed:
      return 0;
    case BreakerState::half_open:
      return 1;
    case BreakerState::open:
      return 2;
  }
  return 0;
}

void forget_pending(std::multiset<std::int64_t>& pending_created, std::int64_t created_at_ms) {
  if (auto it = pending_created.find(created_at_ms); it != pending_created.end()) pending_created.erase(it);
}

// How long to wait before trying again when the attempt could not even be recorded (the store
// is failing): short, since nothing about the destination is known to be wrong.
constexpr milliseconds kStoreRetry{1000};

// Fills in this instance's lease claim on every message a write batch enqueues, so the key of
// what it accepts is its own in the same transaction whenever no other instance holds it.
void claim_enqueued(std::vector<StoreWrite>& writes, const std::string& holder, std::int64_t now, std::int64_t until) {
  for (StoreWrite& w : writes) {
    if (auto* e = std::get_if<store_write::EnqueueMessage>(&w)) e->lease = store_write::LeaseClaim{holder, now, until};
  }
}

}  // namespace

std::string default_instance_id() {
  char host[256] = {};
  if (gethostname(host, sizeof host - 1) != 0 || host[0] == '\0') std::snprintf(host, sizeof host, "%s", "knutpunkt");
  std::random_device random;
  char suffix[9];
  std::snprintf(suffix, sizeof suffix, "%08x", static_cast<unsigned>(random()));
  return std::string(host) + "-" + std::to_string(getpid()) + "-" + suffix;
}

struct DeliveryEngine::LeaseTimer {
  explicit LeaseTimer(boost::asio::io_context& io) : timer(io) {}
  boost::asio::steady_timer timer;
};

struct DeliveryEngine::Lane {
  Lane(boost::asio::io_context& io, DestinationSettings s, OutboundAdapter& a)
      : settings(std::move(s)), adapter(a), breaker(settings.breaker), timer(io) {}

  DestinationSettings settings;
  OutboundAdapter& adapter;
  CircuitBreaker breaker;
  boost::asio::steady_timer timer;
  std::optional<SteadyClock::time_point> timer_at;

  // Per ordering key, in position order. Only the front may be attempted; a dead front holds
  // the others back.
  std::unordered_map<std::string, std::deque<Entry>> keys;
  // Fronts that may be attempted, by (due, position).
  std::set<std::tuple<std::int64_t, std::int64_t, std::string>> ready;
  std::multiset<std::int64_t> pending_created;  // created_at_ms of every pending message
  DestinationMetrics metrics;
};

struct DeliveryEngine::AttemptResult {
  DeliveryAttempt attempt;
  AttemptClass outcome = AttemptClass::retryable;
  bool reached_destination = false;  // an HTTP response arrived (the destination is up)
  bool rendered = true;
  bool withheld = false;  // the release check refused it: never sent, never to be
  std::optional<milliseconds> retry_after;
  // As launch() read it. A settlement hook builds its writes from it: the fields it reads (id,
  // type, payload, client, case) never change once the message is stored.
  OutboxMessage message;
};

DeliveryEngine::DeliveryEngine(boost::asio::io_context& io, net::HttpClient& http, Store& store, AuditLog& audit)
    : io_(io),
      http_(http),
      store_(store),
      audit_(audit),
      clock_([] { return now_ms(); }),
      lease_timer_(std::make_unique<LeaseTimer>(io)) {
  leases_.holder = default_instance_id();
  audit_.observe_enqueued([this](const std::vector<OutboxMessage>& messages) { schedule_enqueued(messages); });
}

DeliveryEngine::~DeliveryEngine() {
  audit_.observe_enqueued(nullptr);
  stop();
}

void DeliveryEngine::add_destination(DestinationSettings settings, OutboundAdapter& adapter) {
  std::lock_guard lock(mutex_);
  const std::string name = settings.name;
  auto lane = std::make_unique<Lane>(io_, std::move(settings), adapter);
  lane->metrics.destination = name;
  lanes_[name] = std::move(lane);
}

bool DeliveryEngine::has_destination(const std::string& name) const {
  std::lock_guard lock(mutex_);
  return lanes_.contains(name);
}

void DeliveryEngine::add_settlement_handler(std::string message_type, SettlementHook handler) {
  std::lock_guard lock(mutex_);
  settlement_handlers_[std::move(message_type)] = std::move(handler);
}

void DeliveryEngine::set_default_settlement_handler(SettlementHook handler) {
  std::lock_guard lock(mutex_);
  default_settlement_handler_ = std::move(handler);
}

void DeliveryEngine::add_release_check(std::string message_type, ReleaseCheck check) {
  std::lock_guard lock(mutex_);
  release_checks_[std::move(message_type)] = std::move(check);
}

void DeliveryEngine::set_leases(LeaseSettings settings) {
  std::lock_guard lock(mutex_);
  if (settings.holder.empty()) settings.holder = leases_.holder;
  leases_ = std::move(settings);
}

void DeliveryEngine::set_clock(std::function<std::int64_t()> clock) {
  std::lock_guard lock(mutex_);
  clock_ = std::move(clock);
}

SettlementHook DeliveryEngine::settlement_handler_locked(const std::string& message_type) const {
  const auto it = settlement_handlers_.find(message_type);
  return it != settlement_handlers_.end() ? it->second : default_settlement_handler_;
}

ReleaseCheck DeliveryEngine::release_check_locked(const std::string& message_type) const {
  const auto it = release_checks_.find(message_type);
  return it != release_checks_.end() ? it->second : ReleaseCheck();
}

DeliveryEngine::Lane* DeliveryEngine::lane_for(const std::string& destination) {
  const auto it = lanes_.find(destination);
  return it == lanes_.end() ? nullptr : it->second.get();
}

double DeliveryEngine::random01() {
  return std::uniform_real_distribution<double>(0.0, 1.0)(random_);
}

DeliveryEngine::Entry DeliveryEngine::entry_from(const OutboxMessage& m) const {
  return Entry{m.id,
               m.type,
               m.ordering_key,
               m.client_id,
               m.case_id,
               m.position,
               m.attempts,
               m.cycle_attempts,
               m.created_at_ms,
               m.cycle_started_at_ms,
               m.next_attempt_at_ms,
               m.status == MessageStatus::dead,
               false};
}

std::expected<void, StoreError> DeliveryEngine::start() {
  std::size_t taken = 0;
  {
    std::lock_guard adopting(adopt_mutex_);
    // Leases under this instance's own id are from a life of it that ended (a process never
    // reuses a default id): they are taken back at once instead of after expiry.
    auto took = take_over(/*claim_own=*/true);
    if (!took) return std::unexpected(took.error());
    taken = *took;
    std::lock_guard lock(mutex_);
    loaded_ = true;
  }
  log::info("delivery.started", {{"keys_taken", taken}, {"instance_id", leases_.holder}});
  std::vector<Lane*> all;
  {
    std::lock_guard lock(mutex_);
    for (auto& [_, lane] : lanes_) all.push_back(lane.get());
  }
  for (Lane* lane : all) pump(*lane);
  schedule_lease_tick();
  return {};
}

void DeliveryEngine::stop() {
  std::lock_guard adopting(adopt_mutex_);
  std::vector<HeldLease> release;
  {
    std::lock_guard lock(mutex_);
    stopped_ = true;
    for (auto& [_, lane] : lanes_) lane->timer.cancel();
    lease_timer_->timer.cancel();
    for (const auto& [key, token] : held_) release.push_back({key, token});
    held_.clear();
  }
  // Released rather than left to expire, so another instance goes on at once. An attempt still
  // under way is recorded only if no one has claimed its key by then.
  if (auto ok = store_.release_leases(leases_.holder, release); !ok) {
    log::warn("delivery.lease_release_failed", {{"keys", release.size()}, {"error", ok.error().code}});
  }
}

std::expected<std::size_t, StoreError> DeliveryEngine::take_over(bool claim_own) {
  std::size_t taken = 0;
  std::int64_t after = 0;
  for (;;) {
    // Messages due before the next tick too: a key whose retry falls between two ticks would
    // otherwise wait a whole tick longer than its backoff. Keys under this instance's own live
    // lease are listed too: one it holds but does not know of is one a commit claimed whose
    // answer was lost (the commit landed, this instance heard an error), and its messages are
    // this instance's to deliver.
    const std::int64_t now = wall_now();
    auto page =
        store_.claimable_messages(leases_.holder, now, now + tick_period().count(), after, leases_.takeover_batch);
    if (!page) return std::unexpected(page.error());
    for (const OutboxMessage& m : *page) {
      const LaneKey key{m.destination, m.ordering_key};
      {
        std::lock_guard lock(mutex_);
        if (stopped_) return taken;
        // A destination removed from config: its messages stay in the store, visible to
        // operators, for an instance that knows it (or this one once it comes back).
        if (!lane_for(m.destination) || held_.contains(key)) continue;
      }
      auto adopted = adopt_key(key, claim_own);
      if (!adopted) return std::unexpected(adopted.error());
      if (*adopted) ++taken;
    }
    if (page->size() < static_cast<std::size_t>(leases_.takeover_batch)) return taken;
    after = page->back().position;
  }
}

std::expected<bool, StoreError> DeliveryEngine::adopt_key(const LaneKey& key, bool claim_own) {
  const std::int64_t now = wall_now();
  const std::int64_t until = now + leases_.length.count();
  std::optional<std::int64_t> token;
  {
    std::lock_guard lock(mutex_);
    if (const auto held = held_.find(key); held != held_.end()) token = held->second;
  }
  if (!token && !claim_own) {
    // Usually claimed already in the transaction that enqueued the message: no commit needed.
    auto lease = store_.lease(key);
    if (!lease) return std::unexpected(lease.error());
    if (*lease && (*lease)->expires_at_ms > now) {
      if ((*lease)->holder != leases_.holder) return false;  // another instance's: it delivers them
      token = (*lease)->token;
    }
  }
  if (!token) {
    auto claimed = store_.claim_lease(key, leases_.holder, now, until);
    if (!claimed) return std::unexpected(claimed.error());
    if (!*claimed) return false;  // another instance's: it delivers them
    token = *claimed;
  }
  auto messages = store_.undelivered_messages(key);
  Lane* lane = nullptr;
  {
    std::lock_guard lock(mutex_);
    lane = lane_for(key.destination);
    if (!lane) return false;
    // Held even if loading failed: the next tick releases a key with nothing in memory.
    held_[key] = *token;
    if (!messages) return std::unexpected(messages.error());
    // In store positions: other instances enqueue for the key too, and only the store's
    // order is the order of acceptance.
    for (const OutboxMessage& m : *messages) {
      if (!index_.contains(m.id)) schedule_locked(*lane, entry_from(m));
    }
  }
  boost::asio::post(io_, [this, lane] { pump(*lane); });
  return true;
}

void DeliveryEngine::schedule_lease_tick() {
  std::lock_guard lock(mutex_);
  if (stopped_) return;
  lease_timer_->timer.expires_after(tick_period());
  lease_timer_->timer.async_wait([this](const boost::system::error_code& ec) {
    if (!ec) lease_tick();
  });
}

void DeliveryEngine::lease_tick() {
  {
    std::lock_guard adopting(adopt_mutex_);
    const std::int64_t now = wall_now();
    std::vector<HeldLease> renew, release;
    std::vector<std::pair<LaneKey, std::string>> dead_fronts;  // key, message id
    {
      std::lock_guard lock(mutex_);
      if (stopped_) return;
      for (const auto& [key, token] : held_) {
        Lane* lane = lane_for(key.destination);
        const auto kit = lane ? lane->keys.find(key.ordering_key) : decltype(lane->keys.end()){};
        if (!lane || kit == lane->keys.end() || kit->second.empty()) {
          release.push_back({key, token});
          continue;
        }
        renew.push_back({key, token});
        const Entry& front = kit->second.front();
        if (front.dead && !front.in_flight) dead_fronts.emplace_back(key, front.id);
      }
      for (const HeldLease& l : release) held_.erase(l.key);
    }
    if (auto ok = store_.release_leases(leases_.holder, release); !ok) {
      log::warn("delivery.lease_release_failed", {{"keys", release.size()}, {"error", ok.error().code}});
    }
    auto lost = store_.renew_leases(leases_.holder, renew, now + leases_.length.count());
    if (!lost) {
      // Tried again next tick; until the lease expires, no one else may claim the keys.
      log::warn("delivery.lease_renewal_failed", {{"keys", renew.size()}, {"error", lost.error().code}});
    } else {
      std::lock_guard lock(mutex_);
      for (const LaneKey& key : *lost) {
        if (Lane* lane = lane_for(key.destination)) {
          const auto kit = lane->keys.find(key.ordering_key);
          const std::string front = kit != lane->keys.end() && !kit->second.empty() ? kit->second.front().id : "";
          lose_key_locked(*lane, key.ordering_key, front);
        }
      }
    }
    // A dead letter replayed through an instance that could not claim its key (this one held
    // it): the store says pending again, and the holder delivers it.
    for (const auto& [key, id] : dead_fronts) {
      auto message = store_.message(id);
      if (!message || !*message || (*message)->status != MessageStatus::pending) continue;
      std::lock_guard lock(mutex_);
      Lane* lane = lane_for(key.destination);
      const auto kit = lane->keys.find(key.ordering_key);
      if (kit == lane->keys.end() || kit->second.empty() || kit->second.front().id != id) continue;
      Entry& front = kit->second.front();
      if (!front.dead || front.in_flight) continue;
      front.dead = false;
      front.cycle_attempts = 0;
      front.cycle_started_at_ms = (*message)->cycle_started_at_ms;
      front.due_ms = (*message)->next_attempt_at_ms;
      lane->pending_created.insert(front.created_at_ms);
      ++lane->metrics.queue_depth;
      make_ready_locked(*lane, key.ordering_key);
      boost::asio::post(io_, [this, lane] { pump(*lane); });
    }
    if (auto taken = take_over(/*claim_own=*/false); !taken) {
      log::warn("delivery.takeover_failed", {{"error", taken.error().code}});
    }
  }
  schedule_lease_tick();
}

void DeliveryEngine::lose_key_locked(Lane& lane, const std::string& ordering_key, const std::string& message_id) {
  held_.erase(LaneKey{lane.settings.name, ordering_key});
  if (auto kit = lane.keys.find(ordering_key); kit != lane.keys.end()) {
    auto& queue = kit->second;
    if (!queue.empty() && !queue.front().in_flight && !queue.front().dead) {
      lane.ready.erase({queue.front().due_ms, queue.front().position, ordering_key});
    }
    for (const Entry& e : queue) {
      index_.erase(e.id);
      if (!e.dead) {
        forget_pending(lane.pending_created, e.created_at_ms);
        --lane.metrics.queue_depth;
      }
    }
    lane.keys.erase(kit);
  }
  // The ordering key may name a person's case: the message id says which message it was.
  log::warn("delivery.lease_lost", {{"destination", lane.settings.name}, {"message_id", message_id}});
}

void DeliveryEngine::schedule_locked(Lane& lane, Entry entry) {
  auto& queue = lane.keys[entry.ordering_key];
  const std::string key = entry.ordering_key;
  index_[entry.id] = {lane.settings.name, key};
  if (!entry.dead) {
    lane.pending_created.insert(entry.created_at_ms);
    ++lane.metrics.queue_depth;
  }
  // Acceptance order is position order; a replayed message may come back in front of others,
  // but never in front of one already on its way.
  auto at = std::upper_bound(queue.begin(), queue.end(), entry.position,
                             [](std::int64_t p, const Entry& e) { return p < e.position; });
  if (at == queue.begin() && !queue.empty() && queue.front().in_flight) ++at;
  const bool becomes_front = at == queue.begin();
  if (becomes_front && !queue.empty() && !queue.front().in_flight) {
    const Entry& old = queue.front();
    lane.ready.erase({old.due_ms, old.position, key});
  }
  queue.insert(at, std::move(entry));
  if (becomes_front) make_ready_locked(lane, key);
}

void DeliveryEngine::make_ready_locked(Lane& lane, const std::string& key) {
  auto it = lane.keys.find(key);
  if (it == lane.keys.end() || it->second.empty()) return;
  const Entry& front = it->second.front();
  if (front.dead || front.in_flight) return;
  lane.ready.insert({front.due_ms, front.position, key});
}

std::vector<std::pair<DeliveryEngine::Lane*, DeliveryEngine::Entry>> DeliveryEngine::take_due_locked(Lane& lane) {
  std::vector<std::pair<Lane*, Entry>> starts;
  if (stopped_) return starts;
  const std::int64_t now = now_ms();
  while (lane.metrics.in_flight < static_cast<std::uint64_t>(lane.settings.max_in_flight) && !lane.ready.empty()) {
    const auto [due, position, key] = *lane.ready.begin();
    std::optional<SteadyClock::time_point> wake;
    if (due > now) {
      wake = SteadyClock::now() + milliseconds{due - now};
    } else if (!lane.breaker.try_acquire(SteadyClock::now())) {
      // Open: wait for the probe time. Half-open with a probe out: its outcome pumps again.
      if (lane.breaker.state(SteadyClock::now()) == BreakerState::open)
        wake = lane.breaker.reopens_at();
      else
        break;
    }
    if (wake) {
      if (!lane.timer_at || *wake < *lane.timer_at || *lane.timer_at <= SteadyClock::now()) {
        lane.timer_at = *wake;
        lane.timer.expires_at(*wake);
        lane.timer.async_wait([this, l = &lane](const boost::system::error_code& ec) {
          if (ec) return;
          {
            std::lock_guard relock(mutex_);
            l->timer_at.reset();
          }
          pump(*l);
        });
      }
      break;
    }
    lane.ready.erase(lane.ready.begin());
    Entry& front = lane.keys[key].front();
    front.in_flight = true;
    const auto held = held_.find(LaneKey{lane.settings.name, key});
    front.lease_token = held == held_.end() ? 0 : held->second;
    ++lane.metrics.in_flight;
    starts.emplace_back(&lane, front);
  }
  return starts;
}

void DeliveryEngine::pump(Lane& lane) {
  std::vector<std::pair<Lane*, Entry>> starts;
  {
    std::lock_guard lock(mutex_);
    starts = take_due_locked(lane);
  }
  for (auto& [l, entry] : starts) launch(*l, std::move(entry));
}

void DeliveryEngine::launch(Lane& lane, Entry entry) {
  AttemptResult result;
  result.attempt.message_id = entry.id;
  result.attempt.started_at_ms = now_ms();
  result.attempt.endpoint = lane.adapter.endpoint();

  auto message = store_.message(entry.id);
  if (!message || !*message) {
    log::warn("delivery.store_read_failed",
              {{"message_id", entry.id}, {"stage", "launch"}, {"error", message ? "missing" : message.error().code}});
    // Cannot read what to send: try again shortly without spending the retry budget.
    boost::asio::post(io_, [this, &lane, entry = std::move(entry)]() mutable {
      {
        std::lock_guard lock(mutex_);
        auto& queue = lane.keys[entry.ordering_key];
        if (!queue.empty() && queue.front().id == entry.id) {
          queue.front().in_flight = false;
          queue.front().due_ms = now_ms() + kStoreRetry.count();
          --lane.metrics.in_flight;
          lane.breaker.record_neutral();
          make_ready_locked(lane, entry.ordering_key);
        }
      }
      pump(lane);
    });
    return;
  }
  // Memory can be behind the store: an attempt this instance heard fail to commit may have
  // committed after all (the database went away while answering COMMIT). The store's word
  // stands. Sending a message it has settled, or numbering an attempt as one it holds, would
  // only be refused as a repeat of a recorded attempt, again and again.
  if ((*message)->status != MessageStatus::pending) return follow_store(lane, entry, (*message)->status);
  entry.attempts = (*message)->attempts;
  entry.cycle_attempts = (*message)->cycle_attempts;
  entry.cycle_started_at_ms = (*message)->cycle_started_at_ms;
  result.attempt.number = entry.attempts + 1;

  ReleaseCheck release_check;
  {
    std::lock_guard lock(mutex_);
    release_check = release_check_locked(entry.type);
  }
  result.message = std::move(**message);
  const OutboxMessage& m = result.message;
  if (release_check) {
    // Checked at the last moment, not at acceptance: a withdrawal stops what is still queued.
    if (auto reason = release_check(m)) {
      result.rendered = false;
      result.withheld = true;
      result.outcome = AttemptClass::final;
      result.attempt.error = "withheld: " + *reason;
      conclude(lane, std::move(entry), std::move(result));
      return;
    }
  }
  auto rendered = lane.adapter.render(OutboundMessage{m.id, m.type, m.payload});
  if (!rendered) {
    result.rendered = false;
    result.outcome = AttemptClass::final;
    result.attempt.error = "render_failed: " + rendered.error().code +
                           (rendered.error().field.empty() ? std::string() : " at " + rendered.error().field);
    conclude(lane, std::move(entry), std::move(result));
    return;
  }
  auto url = net::parse_http_url(lane.adapter.endpoint() + rendered->path);
  if (!url) {
    result.rendered = false;
    result.outcome = AttemptClass::final;
    result.attempt.error = "bad_endpoint";
    conclude(lane, std::move(entry), std::move(result));
    return;
  }
  result.attempt.endpoint = lane.adapter.endpoint() + rendered->path;
  net::HttpRequest request;
  request.method = rendered->method;
  request.url = std::move(*url);
  request.tls = lane.adapter.tls();
  request.content_type = rendered->content_type;
  request.body = std::move(rendered->body);
  request.headers = std::move(rendered->headers);
  // The receiver's deduplication key: the same on every attempt of this message.
  request.headers.emplace_back("Idempotency-Key", entry.id);

  const auto started = SteadyClock::now();
  http_.send(std::move(request), started + lane.settings.timeout,
             [this, &lane, entry = std::move(entry), result = std::move(result), started](net::HttpResult r) mutable {
               result.attempt.latency_ms =
                   std::chrono::duration_cast<milliseconds>(SteadyClock::now() - started).count();
               if (r) {
                 result.reached_destination = true;
                 result.attempt.http_status = static_cast<int>(r->status);
                 result.outcome = classify_status(r->status);
                 if (!r->retry_after.empty()) {
                   result.retry_after = parse_retry_after(r->retry_after, std::chrono::system_clock::now());
                 }
                 if (result.outcome != AttemptClass::delivered)
                   result.attempt.error = "http_" + std::to_string(r->status);
               } else {
                 result.outcome = AttemptClass::retryable;
                 result.attempt.error = std::string(net::to_string(r.error().kind));
                 // What an operator must fix (an unknown CA, an expired certificate); it names no person.
                 if (r.error().kind == net::TransportErrorKind::tls_failed) {
                   result.attempt.error += ": " + r.error().message;
                 }
               }
               conclude(lane, std::move(entry), std::move(result));
             });
}

void DeliveryEngine::conclude(Lane& lane, Entry entry, AttemptResult result) {
  const std::int64_t now = now_ms();
  {
    // The destination's health is known now; waiting for the commit would let every freed slot
    // start another doomed attempt before the breaker opens. Any answer other than "not now"
    // shows the destination is up, even a refusal of this message; no answer, or "not now",
    // counts against it. A message that could not be rendered was never sent.
    std::lock_guard lock(mutex_);
    if (!result.rendered) {
      lane.breaker.record_neutral();
    } else if (result.reached_destination && result.outcome != AttemptClass::retryable) {
      lane.breaker.record_success();
    } else {
      lane.breaker.record_failure(SteadyClock::now());
    }
  }
  MessageStatus status = MessageStatus::pending;
  std::int64_t next_at = 0;
  std::string reason;
  if (result.outcome == AttemptClass::delivered) {
    status = MessageStatus::delivered;
    result.attempt.outcome = "delivered";
  } else if (result.withheld) {
    status = MessageStatus::withheld;
    reason = result.attempt.error;
    result.attempt.outcome = "withheld";
  } else {
    double r;
    {
      std::lock_guard lock(mutex_);
      r = random01();
    }
    const auto decision = decide(lane.settings.retry, result.outcome, entry.cycle_attempts + 1,
                                 milliseconds{now - entry.cycle_started_at_ms}, result.retry_after, r);
    if (decision.retry) {
      next_at = now + decision.wait.count();
      result.attempt.outcome = "retry";
    } else {
      status = MessageStatus::dead;
      reason = decision.reason;
      result.attempt.outcome = "dead_lettered";
    }
  }

  std::vector<StoreWrite> writes;
  const std::int64_t wall = wall_now();
  const std::int64_t until = wall + leases_.length.count();
  // Recorded only while this instance still holds the key under the token the attempt started
  // with: one paused past its lease must not settle what another instance has taken over.
  writes.push_back(store_write::RecordAttempt{result.attempt, status, next_at,
                                              status == MessageStatus::delivered ? std::string() : result.attempt.error,
                                              store_write::LeaseFence{LaneKey{lane.settings.name, entry.ordering_key},
                                                                      leases_.holder, entry.lease_token, until}});
  SettlementHook hook;
  {
    std::lock_guard lock(mutex_);
    hook = settlement_handler_locked(entry.type);
  }
  if (hook && status != MessageStatus::pending) {
    auto extra = hook(result.message, status, reason.empty() ? result.attempt.error : reason);
    claim_enqueued(extra, leases_.holder, wall, until);
    std::move(extra.begin(), extra.end(), std::back_inserter(writes));
  }

  nlohmann::json body = {
      {"message_id", entry.id},
      {"destination", lane.settings.name},
      {"message_type", entry.type},
      {"ordering_key", entry.ordering_key},
      {"client_id", entry.client_id},
      {"case_id", entry.case_id},
      {"attempt", result.attempt.number},
      {"endpoint", result.attempt.endpoint},
      {"http_status", result.attempt.http_status},
      {"latency_ms", result.attempt.latency_ms},
      {"outcome", result.attempt.outcome},
      {"error", result.attempt.error},
  };
  if (status == MessageStatus::pending) body["next_attempt_at"] = format_utc_ms(next_at);
  if (status == MessageStatus::dead || status == MessageStatus::withheld) body["reason"] = reason;
  const std::string kind = status == MessageStatus::dead       ? "delivery.dead_lettered"
                           : status == MessageStatus::withheld ? "delivery.withheld"
                                                               : "delivery.attempt";

  entry.due_ms = next_at;
  audit_.append(kind, std::move(body), std::move(writes),
                [this, &lane, entry = std::move(entry),
                 result = std::move(result)](std::expected<AuditReceipt, StoreError> receipt) mutable {
                  // Settle on an io thread: the audit writer's callbacks must stay short.
                  std::optional<StoreError> failure;
                  if (!receipt) failure = std::move(receipt.error());
                  boost::asio::post(io_, [this, &lane, entry = std::move(entry), result = std::move(result),
                                          failure = std::move(failure)]() mutable {
                    settle(lane, entry, result, std::move(failure));
                  });
                });
  free_slot(lane);
}

void DeliveryEngine::count_attempt(Entry& front, const Entry& started, int number) {
  // The counts the attempt started from, as launch() read them from the store, plus this one.
  front.attempts = number;
  front.cycle_attempts = started.cycle_attempts + 1;
  front.cycle_started_at_ms = started.cycle_started_at_ms;
}

bool DeliveryEngine::retire_front_locked(Lane& lane, const std::string& ordering_key) {
  auto kit = lane.keys.find(ordering_key);
  Entry& front = kit->second.front();
  forget_pending(lane.pending_created, front.created_at_ms);
  --lane.metrics.queue_depth;
  index_.erase(front.id);
  kit->second.pop_front();
  if (kit->second.empty()) {
    lane.keys.erase(kit);
    return true;
  }
  make_ready_locked(lane, ordering_key);
  return false;
}

void DeliveryEngine::adopt_drained(const LaneKey& key, const std::string& message_id) {
  // Another instance may have enqueued for the key while this one held it: those messages are
  // this one's to deliver, and only the store knows them.
  std::lock_guard adopting(adopt_mutex_);
  if (auto ok = adopt_key(key, /*claim_own=*/false); !ok) {
    log::warn("delivery.store_read_failed", {{"message_id", message_id}, {"stage", "drain"}});
  }
}

void DeliveryEngine::follow_store(Lane& lane, const Entry& entry, MessageStatus status) {
  log::warn("delivery.state_reloaded",
            {{"message_id", entry.id}, {"destination", lane.settings.name}, {"status", to_string(status)}});
  bool drained = false;
  {
    std::lock_guard lock(mutex_);
    --lane.metrics.in_flight;
    lane.breaker.record_neutral();
    const auto kit = lane.keys.find(entry.ordering_key);
    if (kit != lane.keys.end() && !kit->second.empty() && kit->second.front().id == entry.id) {
      Entry& front = kit->second.front();
      front.in_flight = false;
      if (status == MessageStatus::dead) {
        // Holds its key back until replayed, as a dead letter loaded at start does.
        front.dead = true;
        forget_pending(lane.pending_created, front.created_at_ms);
        --lane.metrics.queue_depth;
      } else {
        drained = retire_front_locked(lane, entry.ordering_key);
      }
    }
  }
  if (drained) adopt_drained(LaneKey{lane.settings.name, entry.ordering_key}, entry.id);
  // Posted, not called: this runs inside pump(), which may have more attempts to launch.
  boost::asio::post(io_, [this, &lane] { pump(lane); });
}

void DeliveryEngine::free_slot(Lane& lane) {
  // The destination is done with this attempt: its slot is free while the record commits, so
  // sending to other ordering keys overlaps with the commit. The message itself stays in
  // flight (its key waits) until settle() knows the outcome is durable.
  {
    std::lock_guard lock(mutex_);
    --lane.metrics.in_flight;
  }
  // Posted, not called: conclude() may run inside launch() (a message that cannot be rendered).
  boost::asio::post(io_, [this, &lane] { pump(lane); });
}

void DeliveryEngine::settle(Lane& lane, const Entry& entry, const AttemptResult& result,
                            std::optional<StoreError> failure) {
  const std::int64_t now = now_ms();
  const LaneKey lane_key{lane.settings.name, entry.ordering_key};
  bool lost = false;
  if (failure && failure->code == "lease_lost") {
    // The store refused this attempt alone because its lease had moved on; whose it is now the
    // store says.
    auto lease = store_.lease(lane_key);
    lost = lease && (!*lease || (*lease)->holder != leases_.holder || (*lease)->token != entry.lease_token);
  }
  const bool recorded = !failure;
  bool drained = false;
  {
    std::lock_guard lock(mutex_);
    const double seconds = static_cast<double>(result.attempt.latency_ms) / 1000.0;
    lane.metrics.attempt_duration.observe(seconds);

    auto kit = lane.keys.find(entry.ordering_key);
    const auto held = held_.find(lane_key);
    if (held == held_.end() || held->second != entry.lease_token) {
      // Started under a lease this instance no longer holds: the key's messages are someone
      // else's now (or its own under a newer lease, reloaded from the store).
    } else if (lost) {
      lose_key_locked(lane, entry.ordering_key, entry.id);
    } else if (kit == lane.keys.end() || kit->second.empty() || kit->second.front().id != entry.id) {
      log::error("delivery.state_lost", {{"message_id", entry.id}});
    } else {
      Entry& front = kit->second.front();
      front.in_flight = false;
      // A replay can only be committed after the dead-lettering, so it matters only below.
      if (result.attempt.outcome != "dead_lettered") front.replay_at_ms = 0;
      if (!recorded) {
        // The attempt is not in the store, so the store still says pending with the old
        // budget: mirror that and try again soon. Should the receiver have taken it, the
        // repeat carries the same Idempotency-Key.
        front.due_ms = now + kStoreRetry.count();
        make_ready_locked(lane, entry.ordering_key);
      } else if (result.attempt.outcome == "delivered" || result.attempt.outcome == "withheld") {
        // Done with for good either way; the next message with its key may go.
        if (result.attempt.outcome == "delivered") {
          ++lane.metrics.delivered;
          lane.metrics.delivery_latency.observe(static_cast<double>(now - front.cycle_started_at_ms) / 1000.0);
        } else {
          ++lane.metrics.withheld;
        }
        drained = retire_front_locked(lane, entry.ordering_key);
      } else if (result.attempt.outcome == "retry") {
        ++lane.metrics.retried;
        count_attempt(front, entry, result.attempt.number);
        front.due_ms = entry.due_ms;
        make_ready_locked(lane, entry.ordering_key);
      } else {
        ++lane.metrics.dead_lettered;
        count_attempt(front, entry, result.attempt.number);
        // Stays at the front: later messages with its ordering key wait until it is replayed.
        front.dead = true;
        forget_pending(lane.pending_created, front.created_at_ms);
        --lane.metrics.queue_depth;
        if (front.replay_at_ms) {
          // Replayed while this attempt was settling (the store already says pending).
          front.dead = false;
          front.cycle_attempts = 0;
          front.cycle_started_at_ms = front.due_ms = front.replay_at_ms;
          front.replay_at_ms = 0;
          lane.pending_created.insert(front.created_at_ms);
          ++lane.metrics.queue_depth;
          make_ready_locked(lane, entry.ordering_key);
        }
      }
    }
  }
  log::debug("delivery.attempt", {{"message_id", entry.id},
                                  {"destination", lane.settings.name},
                                  {"attempt", result.attempt.number},
                                  {"http_status", result.attempt.http_status},
                                  {"outcome", result.attempt.outcome},
                                  {"latency_ms", result.attempt.latency_ms}});
  if (result.attempt.outcome == "dead_lettered") {
    log::warn("delivery.dead_lettered",
              {{"message_id", entry.id}, {"destination", lane.settings.name}, {"error", result.attempt.error}});
  }
  if (drained) adopt_drained(lane_key, entry.id);
  pump(lane);
}

void DeliveryEngine::submit(std::string kind, nlohmann::json body, std::vector<StoreWrite> writes,
                            AuditLog::OnDurable on_durable) {
  const std::int64_t now = wall_now();
  claim_enqueued(writes, leases_.holder, now, now + leases_.length.count());
  audit_.append(std::move(kind), std::move(body), std::move(writes), std::move(on_durable));
}

void DeliveryEngine::schedule_enqueued(const std::vector<OutboxMessage>& messages) {
  std::lock_guard adopting(adopt_mutex_);
  std::map<LaneKey, std::uint64_t> keys;  // key -> messages enqueued for it
  {
    std::lock_guard lock(mutex_);
    // Before start() has read the outbox, its scan will find these (they are committed).
    if (!loaded_ || stopped_) return;
    for (const OutboxMessage& m : messages) {
      // Committed while start() read the outbox, and found by it. It cannot have been settled
      // and forgotten since: its first attempt commits on the audit writer, which is here.
      if (index_.contains(m.id) || !lane_for(m.destination)) continue;
      ++keys[LaneKey{m.destination, m.ordering_key}];
    }
  }
  // The key is read back from the store rather than the message scheduled as it is: other
  // instances may have enqueued for the key in between, and the enqueue's lease claim may or may
  // not have made the key this instance's.
  for (const auto& [key, count] : keys) {
    auto adopted = adopt_key(key, /*claim_own=*/false);
    if (!adopted) {
      // The takeover tick finds the key again once the store answers.
      log::warn("delivery.store_read_failed", {{"destination", key.destination}, {"stage", "adopt"}});
      continue;
    }
    if (*adopted) {
      std::lock_guard lock(mutex_);
      if (Lane* lane = lane_for(key.destination)) lane->metrics.accepted += count;
    }
  }
}

void DeliveryEngine::replay(const std::string& message_id, const std::string& who,
                            std::function<void(ReplayResult)> done) {
  // A second replay while the first is committing would read "dead" too, be audited as a replay
  // that changed nothing, and revive the message a second time: one at a time per message.
  auto claim = replaying_.try_claim(message_id);
  if (!claim) return done({ReplayOutcome::not_dead, "pending"});
  auto finish = [claim = std::move(*claim), done = std::move(done)](ReplayResult result) mutable {
    claim.release();
    done(std::move(result));
  };
  auto message = store_.message(message_id);
  if (!message) return finish({ReplayOutcome::unavailable, ""});
  if (!*message) return finish({ReplayOutcome::not_found, ""});
  if ((*message)->status != MessageStatus::dead) {
    return finish({ReplayOutcome::not_dead, std::string(to_string((*message)->status))});
  }
  OutboxMessage m = std::move(**message);
  const std::int64_t at = now_ms();
  nlohmann::json body = {{"message_id", m.id},       {"destination", m.destination},
                         {"message_type", m.type},   {"ordering_key", m.ordering_key},
                         {"client_id", m.client_id}, {"case_id", m.case_id},
                         {"replayed_by", who},       {"previous_attempts", m.attempts}};
  // Built before the call: the callback below takes `m` by move, and argument evaluation order
  // is unspecified.
  std::vector<StoreWrite> writes{store_write::Replay{m.id, at}};
  audit_.append(
      "delivery.replayed", std::move(body), std::move(writes),
      [this, m = std::move(m), at, finish = std::move(finish)](std::expected<AuditReceipt, StoreError> r) mutable {
        if (!r) return finish({ReplayOutcome::unavailable, "dead"});
        Lane* touched = nullptr;
        bool adopt = false;
        {
          std::lock_guard lock(mutex_);
          if (Lane* lane = lane_for(m.destination); lane && !held_.contains(LaneKey{m.destination, m.ordering_key})) {
            // Whoever holds the key delivers it: this instance if it can claim the key, otherwise
            // the holder, which sees the store say pending again on its next tick.
            ++lane->metrics.replayed;
            adopt = !stopped_;
          } else if (lane) {
            ++lane->metrics.replayed;
            auto& queue = lane->keys[m.ordering_key];
            auto it = std::find_if(queue.begin(), queue.end(), [&](const Entry& e) { return e.id == m.id; });
            if (it != queue.end()) {
              if (it->in_flight) {
                // Its dead-lettering is durable but not yet settled in memory:
                // settle() applies the replay once it has marked it dead.
                it->replay_at_ms = at;
              } else if (it->dead) {
                it->dead = false;
                it->cycle_attempts = 0;
                it->cycle_started_at_ms = at;
                it->due_ms = at;
                lane->pending_created.insert(it->created_at_ms);
                ++lane->metrics.queue_depth;
                if (it == queue.begin()) make_ready_locked(*lane, m.ordering_key);
              }
            } else {
              // Not in memory: its destination was unknown at start and has come back.
              Entry e{m.id, m.type, m.ordering_key, m.client_id, m.case_id, m.position, m.attempts, 0, m.created_at_ms,
                      at,   at,     false,          false};
              schedule_locked(*lane, std::move(e));
            }
            touched = lane;
          }
        }
        if (touched) boost::asio::post(io_, [this, touched] { pump(*touched); });
        if (adopt) {
          std::lock_guard adopting(adopt_mutex_);
          if (auto adopted = adopt_key(LaneKey{m.destination, m.ordering_key}, /*claim_own=*/false); !adopted) {
            log::warn("delivery.store_read_failed", {{"message_id", m.id}, {"stage", "replay"}});
          }
        }
        finish({ReplayOutcome::replayed, "pending"});
      });
}

std::optional<std::string> DeliveryEngine::waiting_for(const std::string& message_id) const {
  std::lock_guard lock(mutex_);
  const auto it = index_.find(message_id);
  if (it == index_.end()) return std::nullopt;
  const auto lane = lanes_.find(it->second.first);
  if (lane == lanes_.end()) return std::nullopt;
  const auto key = lane->second->keys.find(it->second.second);
  if (key == lane->second->keys.end() || key->second.empty()) return std::nullopt;
  if (key->second.front().id == message_id) return std::nullopt;
  return key->second.front().id;
}

std::vector<DestinationMetrics> DeliveryEngine::metrics() const {
  std::lock_guard lock(mutex_);
  std::vector<DestinationMetrics> out;
  const std::int64_t now = now_ms();
  for (const auto& [_, lane] : lanes_) {
    DestinationMetrics m = lane->metrics;
    m.oldest_pending_age_seconds =
        lane->pending_created.empty() ? 0.0 : static_cast<double>(now - *lane->pending_created.begin()) / 1000.0;
    m.breaker_state = breaker_gauge(lane->breaker.state(SteadyClock::now()));
    out.push_back(std::move(m));
  }
  return out;
}

}  // namespace knutpunkt::delivery
