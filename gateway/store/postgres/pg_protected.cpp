#include "store/postgres/pg_protected.h"

namespace knutpunkt::pg {

std::string_view protected_schema() {
  return R"sql(
    -- Persons a partner flagged as protected: remembered, never forgotten by an exchange.
    CREATE TABLE protected_person (
      person_id  text PRIMARY KEY,
      flagged_by text NOT NULL,
      flagged_at text NOT NULL
    );
  )sql";
}

std::expected<void, StoreError> apply(Connection& c, const store_write::RememberProtected& w) {
  // The first flag is kept: when and by whom a person was first known to be protected.
  return c.run(
      "INSERT INTO protected_person (person_id, flagged_by, flagged_at) VALUES ($1, $2, $3) "
      "ON CONFLICT (person_id) DO NOTHING",
      Params().add(w.person_id).add(w.flagged_by).add(w.flagged_at), "remember protected person");
}

std::expected<bool, StoreError> is_protected(Connection& c, const std::string& person_id) {
  auto r =
      c.query("SELECT 1 FROM protected_person WHERE person_id = $1", Params().add(person_id), "read protected person");
  if (!r) return std::unexpected(r.error());
  return r->rows() > 0;
}

}  // namespace knutpunkt::pg
