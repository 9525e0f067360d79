#include "store/postgres/pg_lease.h"

#include <set>

#include "store/postgres/pg_outbox.h"

namespace knutpunkt::pg {

std::string_view lease_schema() {
  return R"sql(
    -- Several gateway instances share one outbox: one instance at a time delivers a key's
    -- messages (order holds per destination and ordering key), the one holding the key's lease
    -- until expires_at_ms. token changes with every change of holder; an attempt is recorded
    -- only under the token it was started with, so an instance paused past its lease cannot
    -- settle what another instance has taken over. A released lease keeps its row (and token)
    -- with expires_at_ms 0, so a later holder never gets a token an earlier one had.
    CREATE TABLE delivery_lease (
      destination   text NOT NULL,
      ordering_key  text NOT NULL,
      holder        text NOT NULL,
      token         bigint NOT NULL,
      expires_at_ms bigint NOT NULL,
      PRIMARY KEY (destination, ordering_key)
    );
    -- The first undelivered message of each key, looked up by instances taking keys over.
    CREATE INDEX outbox_undelivered_key ON outbox (destination, ordering_key, position)
      WHERE status IN ('pending', 'dead');
  )sql";
}

namespace {

// Takes a key's lease when it is free, expired, or already the holder's ($1 destination, $2
// ordering key, $3 holder, $4 now, $5 until). ON CONFLICT locks the existing row and evaluates
// the WHERE on its latest version, so of instances claiming at once exactly one gets a live
// lease. The token stays only while the holder's own lease is live; any other takeover gives a
// new one, which fences off whatever the previous holder still has in flight.
constexpr std::string_view kClaimLeaseSql =
    "INSERT INTO delivery_lease AS l (destination, ordering_key, holder, token, expires_at_ms) "
    "VALUES ($1, $2, $3, 1, $5) "
    "ON CONFLICT (destination, ordering_key) DO UPDATE SET "
    "token = CASE WHEN l.holder = excluded.holder AND l.expires_at_ms > $4 THEN l.token ELSE l.token + 1 END, "
    "holder = excluded.holder, expires_at_ms = GREATEST(l.expires_at_ms, excluded.expires_at_ms) "
    "WHERE l.holder = excluded.holder OR l.expires_at_ms <= $4 "
    "RETURNING l.token";

Params claim_params(const LaneKey& key, const std::string& holder, std::int64_t now_ms, std::int64_t until_ms) {
  return Params().add(key.destination).add(key.ordering_key).add(holder).add(now_ms).add(until_ms);
}

// A text[] literal: every element quoted, with backslash and double quote escaped, so any text
// travels as one parameter value.
std::string text_array(const std::vector<HeldLease>& leases, std::string LaneKey::*field) {
  std::string out = "{";
  for (const HeldLease& l : leases) {
    if (out.size() > 1) out += ',';
    out += '"';
    for (char ch : l.key.*field) {
      if (ch == '"' || ch == '\\') out += '\\';
      out += ch;
    }
    out += '"';
  }
  out += '}';
  return out;
}

std::string token_array(const std::vector<HeldLease>& leases) {
  std::string out = "{";
  for (const HeldLease& l : leases) {
    if (out.size() > 1) out += ',';
    out += std::to_string(l.token);
  }
  out += '}';
  return out;
}

// The held leases as parameters $1 (destinations), $2 (ordering keys), $3 (tokens), $4 holder.
Params held_params(const std::string& holder, const std::vector<HeldLease>& leases) {
  return Params()
      .add(text_array(leases, &LaneKey::destination))
      .add(text_array(leases, &LaneKey::ordering_key))
      .add(token_array(leases))
      .add(holder);
}

constexpr std::string_view kHeldRows =
    "unnest($1::text[], $2::text[], $3::bigint[]) AS h(destination, ordering_key, token) "
    "WHERE l.destination = h.destination AND l.ordering_key = h.ordering_key AND l.token = h.token "
    "AND l.holder = $4";

}  // namespace

std::expected<std::optional<DeliveryLease>, StoreError> lease(Connection& c, const LaneKey& key) {
  auto r =
      c.query("SELECT holder, token, expires_at_ms FROM delivery_lease WHERE destination = $1 AND ordering_key = $2",
              Params().add(key.destination).add(key.ordering_key), "read delivery lease");
  if (!r) return std::unexpected(r.error());
  if (r->rows() == 0) return std::nullopt;
  return DeliveryLease{r->text(0, 0), r->int64(0, 1), r->int64(0, 2)};
}

std::expected<std::optional<std::int64_t>, StoreError> claim_lease(Connection& c, const LaneKey& key,
                                                                   const std::string& holder, std::int64_t now_ms,
                                                                   std::int64_t until_ms) {
  auto r = c.query(kClaimLeaseSql, claim_params(key, holder, now_ms, until_ms), "claim delivery lease");
  if (!r) return std::unexpected(r.error());
  if (r->rows() == 0) return std::nullopt;
  return r->int64(0, 0);
}

std::expected<std::vector<LaneKey>, StoreError> renew_leases(Connection& c, const std::string& holder,
                                                             const std::vector<HeldLease>& leases,
                                                             std::int64_t until_ms) {
  std::vector<LaneKey> lost;
  if (leases.empty()) return lost;
  auto r = c.query("UPDATE delivery_lease AS l SET expires_at_ms = GREATEST(l.expires_at_ms, $5) FROM " +
                       std::string(kHeldRows) + " RETURNING l.destination, l.ordering_key",
                   held_params(holder, leases).add(until_ms), "renew delivery leases");
  if (!r) return std::unexpected(r.error());
  std::set<LaneKey> renewed;
  for (int i = 0; i < r->rows(); ++i) renewed.insert(LaneKey{r->text(i, 0), r->text(i, 1)});
  for (const HeldLease& l : leases) {
    if (!renewed.contains(l.key)) lost.push_back(l.key);
  }
  return lost;
}

std::expected<void, StoreError> release_leases(Connection& c, const std::string& holder,
                                               const std::vector<HeldLease>& leases) {
  if (leases.empty()) return {};
  return c.run("UPDATE delivery_lease AS l SET expires_at_ms = 0 FROM " + std::string(kHeldRows),
               held_params(holder, leases), "release delivery leases");
}

std::expected<std::vector<OutboxMessage>, StoreError> claimable_messages(Connection& c, const std::string& holder,
                                                                         std::int64_t now_ms, std::int64_t due_by_ms,
                                                                         std::int64_t after_position, int limit) {
  // The first NOT EXISTS keeps only each key's first undelivered message (outbox_undelivered_key
  // answers it with one index probe); the second drops keys another holder's live lease covers.
  return select_messages(
      c,
      "WHERE o.status IN ('pending', 'dead') AND o.position > $4 "
      "AND (o.status = 'dead' OR o.next_attempt_at_ms <= $5) "
      "AND NOT EXISTS (SELECT 1 FROM outbox e WHERE e.destination = o.destination "
      "AND e.ordering_key = o.ordering_key AND e.status IN ('pending', 'dead') AND e.position < o.position) "
      "AND NOT EXISTS (SELECT 1 FROM delivery_lease l WHERE l.destination = o.destination "
      "AND l.ordering_key = o.ordering_key AND l.holder <> $1 AND l.expires_at_ms > $2) "
      "ORDER BY o.position LIMIT $3",
      Params().add(holder).add(now_ms).limit(limit).add(after_position).add(due_by_ms), "list claimable messages");
}

std::expected<std::vector<OutboxMessage>, StoreError> undelivered_messages(Connection& c, const LaneKey& key) {
  return select_messages(c,
                         "WHERE destination = $1 AND ordering_key = $2 AND status IN ('pending', 'dead') "
                         "ORDER BY position",
                         Params().add(key.destination).add(key.ordering_key), "list undelivered messages of a key");
}

std::expected<void, StoreError> claim_in_commit(Connection& c, const LaneKey& key,
                                                const store_write::LeaseClaim& claim) {
  // A key another instance holds stays with it: the upsert then changes nothing.
  return c.run(kClaimLeaseSql, claim_params(key, claim.holder, claim.now_ms, claim.until_ms), "claim delivery lease");
}

std::expected<void, StoreError> check_fence(Connection& c, const store_write::LeaseFence& fence) {
  auto r = c.query(
      "UPDATE delivery_lease SET expires_at_ms = GREATEST(expires_at_ms, $5) "
      "WHERE destination = $1 AND ordering_key = $2 AND holder = $3 AND token = $4 RETURNING token",
      Params()
          .add(fence.key.destination)
          .add(fence.key.ordering_key)
          .add(fence.holder)
          .add(fence.token)
          .add(fence.until_ms),
      "extend delivery lease");
  if (!r) return std::unexpected(r.error());
  if (r->rows() == 0) {
    return std::unexpected(StoreError{"lease_lost", "another instance holds the delivery lease of the key"});
  }
  return {};
}

std::expected<bool, StoreError> lease_lost(Connection& c, const std::vector<StoreWrite>& writes) {
  for (const StoreWrite& w : writes) {
    const auto* a = std::get_if<store_write::RecordAttempt>(&w);
    if (a == nullptr || !a->lease) continue;
    const store_write::LeaseFence& fence = *a->lease;
    auto r = c.query(
        "SELECT 1 FROM delivery_lease WHERE destination = $1 AND ordering_key = $2 AND holder = $3 AND token = $4 "
        "FOR UPDATE",
        Params().add(fence.key.destination).add(fence.key.ordering_key).add(fence.holder).add(fence.token),
        "check delivery lease");
    if (!r) return std::unexpected(r.error());
    if (r->rows() == 0) return true;
  }
  return false;
}

}  // namespace knutpunkt::pg
