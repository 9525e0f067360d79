#include "store/postgres/pg_outbox.h"

#include "store/postgres/pg_json.h"
#include "store/postgres/pg_lease.h"

namespace knutpunkt::pg {

std::string_view outbox_schema() {
  return R"sql(
    -- The outbox: what knutpunkt has accepted and owes a destination. Rows are never deleted by
    -- delivery; status says where each stands. position, from an identity column, gives
    -- acceptance order across every instance writing the database.
    CREATE TABLE outbox (
      position            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      id                  text NOT NULL UNIQUE,
      destination         text NOT NULL,
      type                text NOT NULL,
      ordering_key        text NOT NULL,
      client_id           text NOT NULL,
      case_id             text NOT NULL,
      payload             text NOT NULL,
      status              text NOT NULL CHECK (status IN ('pending', 'delivered', 'dead', 'withheld')),
      attempts            integer NOT NULL DEFAULT 0,
      cycle_attempts      integer NOT NULL DEFAULT 0,
      created_at_ms       bigint NOT NULL,
      cycle_started_at_ms bigint NOT NULL,
      next_attempt_at_ms  bigint NOT NULL,
      delivered_at_ms     bigint NOT NULL DEFAULT 0,
      dead_at_ms          bigint NOT NULL DEFAULT 0,
      last_error          text NOT NULL DEFAULT ''
    );
    -- The engine loads pending work at start; operators list dead letters per destination.
    CREATE INDEX outbox_undelivered ON outbox (position) WHERE status IN ('pending', 'dead');
    CREATE INDEX outbox_dead ON outbox (destination, position) WHERE status = 'dead';
    CREATE INDEX outbox_ordering ON outbox (ordering_key, position);

    -- One row per attempt number: two instances recording the same attempt cannot both succeed.
    CREATE TABLE delivery_attempt (
      message_id    text NOT NULL,
      number        integer NOT NULL,
      started_at_ms bigint NOT NULL,
      endpoint      text NOT NULL,
      http_status   integer NOT NULL,
      latency_ms    bigint NOT NULL,
      outcome       text NOT NULL,
      error         text NOT NULL,
      PRIMARY KEY (message_id, number)
    );
  )sql";
}

namespace {

constexpr std::string_view kMessageColumns =
    "position, id, destination, type, ordering_key, client_id, case_id, status, attempts, cycle_attempts, "
    "created_at_ms, cycle_started_at_ms, next_attempt_at_ms, delivered_at_ms, dead_at_ms, last_error";

OutboxMessage read_message(const Result& r, int row) {
  OutboxMessage m;
  m.position = r.int64(row, 0);
  m.id = r.text(row, 1);
  m.destination = r.text(row, 2);
  m.type = r.text(row, 3);
  m.ordering_key = r.text(row, 4);
  m.client_id = r.text(row, 5);
  m.case_id = r.text(row, 6);
  m.status = parse_message_status(r.text(row, 7)).value_or(MessageStatus::pending);
  m.attempts = r.int32(row, 8);
  m.cycle_attempts = r.int32(row, 9);
  m.created_at_ms = r.int64(row, 10);
  m.cycle_started_at_ms = r.int64(row, 11);
  m.next_attempt_at_ms = r.int64(row, 12);
  m.delivered_at_ms = r.int64(row, 13);
  m.dead_at_ms = r.int64(row, 14);
  m.last_error = r.text(row, 15);
  return m;
}

std::expected<std::vector<OutboxMessage>, StoreError> messages(Connection& c, const std::string& sql,
                                                               const Params& params, std::string_view doing) {
  auto r = c.query(sql, params, doing);
  if (!r) return std::unexpected(r.error());
  std::vector<OutboxMessage> list;
  list.reserve(static_cast<std::size_t>(r->rows()));
  for (int i = 0; i < r->rows(); ++i) list.push_back(read_message(*r, i));
  return list;
}

}  // namespace

std::expected<void, StoreError> apply(Connection& c, const store_write::EnqueueMessage& w) {
  const OutboxMessage& m = w.message;
  auto payload = encode_json(m.payload);
  if (!payload) return std::unexpected(payload.error());
  auto inserted = c.run(
      "INSERT INTO outbox (id, destination, type, ordering_key, client_id, case_id, payload, status, created_at_ms, "
      "cycle_started_at_ms, next_attempt_at_ms) VALUES ($1, $2, $3, $4, $5, $6, $7, 'pending', $8, $8, $9)",
      Params()
          .add(m.id)
          .add(m.destination)
          .add(m.type)
          .add(m.ordering_key)
          .add(m.client_id)
          .add(m.case_id)
          .add(*payload)
          .add(m.created_at_ms)
          .add(m.next_attempt_at_ms),
      "enqueue message");
  if (!inserted || !w.lease) return inserted;
  return claim_in_commit(c, LaneKey{m.destination, m.ordering_key}, *w.lease);
}

std::expected<void, StoreError> apply(Connection& c, const store_write::RecordAttempt& w) {
  const DeliveryAttempt& a = w.attempt;
  // The fence first: an attempt started under a token that no longer holds records nothing.
  if (w.lease) {
    if (auto held = check_fence(c, *w.lease); !held) return held;
  }
  auto inserted = c.run(
      "INSERT INTO delivery_attempt (message_id, number, started_at_ms, endpoint, http_status, latency_ms, outcome, "
      "error) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
      Params()
          .add(a.message_id)
          .add(a.number)
          .add(a.started_at_ms)
          .add(a.endpoint)
          .add(a.http_status)
          .add(a.latency_ms)
          .add(a.outcome)
          .add(a.error),
      "record attempt");
  if (!inserted) return inserted;
  // withheld is stored like delivered (terminal) but sets neither delivered_at nor dead_at: the
  // message was never delivered, and it is no dead letter.
  return c.run(
      "UPDATE outbox SET status = $2, attempts = $3, cycle_attempts = cycle_attempts + 1, next_attempt_at_ms = $4, "
      "last_error = $5, delivered_at_ms = CASE WHEN $2 = 'delivered' THEN $6 ELSE delivered_at_ms END, "
      "dead_at_ms = CASE WHEN $2 = 'dead' THEN $6 ELSE dead_at_ms END WHERE id = $1",
      Params()
          .add(a.message_id)
          .add(to_string(w.status))
          .add(a.number)
          .add(w.next_attempt_at_ms)
          .add(w.last_error)
          .add(a.started_at_ms + a.latency_ms),
      "update message after attempt");
}

std::expected<void, StoreError> apply(Connection& c, const store_write::Replay& w) {
  return c.run(
      "UPDATE outbox SET status = 'pending', cycle_attempts = 0, cycle_started_at_ms = $2, next_attempt_at_ms = $2, "
      "dead_at_ms = 0 WHERE id = $1 AND status = 'dead'",
      Params().add(w.message_id).add(w.at_ms), "replay message");
}

std::expected<std::vector<OutboxMessage>, StoreError> undelivered_page(Connection& c, std::int64_t after_position,
                                                                       int rows) {
  return messages(c,
                  "SELECT " + std::string(kMessageColumns) +
                      " FROM outbox WHERE status IN ('pending', 'dead') AND position > $1 ORDER BY position LIMIT $2",
                  Params().add(after_position).add(rows), "scan undelivered messages");
}

std::expected<std::optional<OutboxMessage>, StoreError> message(Connection& c, const std::string& id) {
  auto r = c.query("SELECT " + std::string(kMessageColumns) + ", payload FROM outbox WHERE id = $1", Params().add(id),
                   "read message");
  if (!r) return std::unexpected(r.error());
  if (r->rows() == 0) return std::nullopt;
  OutboxMessage m = read_message(*r, 0);
  m.payload = decode_json(r->text(0, 16));
  return m;
}

std::expected<std::vector<OutboxMessage>, StoreError> select_messages(Connection& c, std::string_view rest,
                                                                      const Params& params, std::string_view doing) {
  return messages(c, "SELECT " + std::string(kMessageColumns) + " FROM outbox o " + std::string(rest), params, doing);
}

std::expected<std::vector<DeliveryAttempt>, StoreError> attempts(Connection& c, const std::string& message_id) {
  auto r = c.query(
      "SELECT number, started_at_ms, endpoint, http_status, latency_ms, outcome, error FROM delivery_attempt "
      "WHERE message_id = $1 ORDER BY number",
      Params().add(message_id), "read attempts");
  if (!r) return std::unexpected(r.error());
  std::vector<DeliveryAttempt> list;
  for (int i = 0; i < r->rows(); ++i) {
    list.push_back(DeliveryAttempt{message_id, r->int32(i, 0), r->int64(i, 1), r->text(i, 2), r->int32(i, 3),
                                   r->int64(i, 4), r->text(i, 5), r->text(i, 6)});
  }
  return list;
}

std::expected<std::vector<OutboxMessage>, StoreError> dead_letters(Connection& c, const DeadLetterQuery& q) {
  return messages(c,
                  "SELECT " + std::string(kMessageColumns) +
                      " FROM outbox WHERE status = 'dead' AND position > $1 AND ($2 = '' OR destination = $2) "
                      "AND ($4 = '' OR type = $4) AND ($5 = '' OR client_id = $5) AND dead_at_ms >= $6 "
                      "AND ($7::bigint = 0 OR dead_at_ms < $7::bigint) ORDER BY position LIMIT $3",
                  Params()
                      .add(q.after_position)
                      .add(q.destination)
                      .limit(q.limit)
                      .add(q.type)
                      .add(q.client_id)
                      .add(q.dead_since_ms)
                      .add(q.dead_until_ms),
                  "list dead letters");
}

std::expected<std::vector<OutboxMessage>, StoreError> messages_by_ordering_key(Connection& c, const std::string& key) {
  return messages(c,
                  "SELECT " + std::string(kMessageColumns) + " FROM outbox WHERE ordering_key = $1 ORDER BY position",
                  Params().add(key), "list messages of an ordering key");
}

}  // namespace knutpunkt::pg
