#include "store/postgres/pg_event_feed.h"

#include "store/postgres/pg_json.h"

namespace knutpunkt::pg {

std::string_view event_feed_schema() {
  return R"sql(
    -- The pull feed: seq is the cursor a client reads from.
    CREATE TABLE case_event (
      seq            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      event_id       text NOT NULL UNIQUE,
      client_id      text NOT NULL,
      case_id        text NOT NULL,
      correlation_id text NOT NULL,
      type           text NOT NULL,
      envelope       text NOT NULL
    );
    CREATE INDEX case_event_client ON case_event (client_id, seq);
  )sql";
}

std::expected<void, StoreError> apply(Connection& c, const store_write::AppendEvent& w) {
  auto envelope = encode_json(w.envelope);
  if (!envelope) return std::unexpected(envelope.error());
  return c.run(
      "INSERT INTO case_event (event_id, client_id, case_id, correlation_id, type, envelope) "
      "VALUES ($1, $2, $3, $4, $5, $6)",
      Params().add(w.event_id).add(w.client_id).add(w.case_id).add(w.correlation_id).add(w.type).add(*envelope),
      "append case event");
}

std::expected<std::vector<StoredEvent>, StoreError> events_after(Connection& c, const std::string& client_id,
                                                                 std::int64_t after_seq, int limit) {
  auto r =
      c.query("SELECT seq, event_id, envelope FROM case_event WHERE client_id = $1 AND seq > $2 ORDER BY seq LIMIT $3",
              Params().add(client_id).add(after_seq).limit(limit), "read case events");
  if (!r) return std::unexpected(r.error());
  std::vector<StoredEvent> list;
  for (int i = 0; i < r->rows(); ++i) {
    list.push_back(StoredEvent{r->int64(i, 0), r->text(i, 1), client_id, decode_json(r->text(i, 2))});
  }
  return list;
}

}  // namespace knutpunkt::pg
