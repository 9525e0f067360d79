#include "store/postgres/pg_case.h"

#include "store/postgres/pg_json.h"

namespace knutpunkt::pg {

std::string_view case_schema() {
  return R"sql(
    -- Cases and their households, as the owning case system registered them: the scope of
    -- lookups (an open case, persons in its household).
    CREATE TABLE case_file (
      client_id    text COLLATE "C" NOT NULL,
      case_id      text COLLATE "C" NOT NULL,
      status       text NOT NULL CHECK (status IN ('open', 'closed')),
      unit         text NOT NULL,
      household    text NOT NULL,
      opened_at    text NOT NULL,
      closed_at    text NOT NULL DEFAULT '',
      updated_at   text NOT NULL,
      organisation text NOT NULL DEFAULT '',
      PRIMARY KEY (client_id, case_id)
    );
    -- One case per case id in an organisation, whichever of its clients registered it.
    CREATE UNIQUE INDEX case_file_organisation ON case_file (organisation, case_id) WHERE organisation <> '';
    -- Household members by person: which open cases a partner's news about a person belongs to.
    CREATE TABLE case_member (
      person_id text NOT NULL,
      client_id text COLLATE "C" NOT NULL,
      case_id   text COLLATE "C" NOT NULL,
      PRIMARY KEY (person_id, client_id, case_id)
    );
  )sql";
}

namespace {

// The case whose two key columns named in `where` ($1, $2) are `first` and `case_id`.
std::expected<std::optional<CaseRecord>, StoreError> read_case(Connection& c, std::string_view where,
                                                               const std::string& first, const std::string& case_id) {
  auto r = c.query(
      "SELECT client_id, case_id, status, unit, household, opened_at, closed_at, updated_at, organisation, "
      "closure_reason FROM case_file WHERE " +
          std::string(where),
      Params().add(first).add(case_id), "read case");
  if (!r) return std::unexpected(r.error());
  if (r->rows() == 0) return std::nullopt;
  return CaseRecord{r->text(0, 0), r->text(0, 1), r->text(0, 2), r->text(0, 3), decode_string_set(r->text(0, 4)),
                    r->text(0, 5), r->text(0, 6), r->text(0, 7), r->text(0, 8), r->text(0, 9)};
}

}  // namespace

std::expected<void, StoreError> apply(Connection& c, const store_write::PutCase& w) {
  const CaseRecord& k = w.record;
  // The organisation's case, whichever of its clients registered it last, is replaced; so is
  // this client's own row from before organisations (empty organisation). A row this client
  // registered for another organisation is left alone: the insert then fails rather than take
  // another organisation's case over.
  const std::string replaced =
      "(organisation = $1 AND case_id = $2 AND organisation <> '') OR "
      "(client_id = $3 AND case_id = $2 AND organisation = '')";
  const Params keys = Params().add(k.organisation).add(k.case_id).add(k.client_id);
  auto ok =
      c.run("DELETE FROM case_member WHERE (client_id, case_id) IN (SELECT client_id, case_id FROM case_file WHERE " +
                replaced + ")",
            keys, "store case members");
  if (ok) ok = c.run("DELETE FROM case_file WHERE " + replaced, keys, "store case");
  if (ok) {
    ok = c.run(
        "INSERT INTO case_file (client_id, case_id, status, unit, household, opened_at, closed_at, updated_at, "
        "organisation, closure_reason) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
        Params()
            .add(k.client_id)
            .add(k.case_id)
            .add(k.status)
            .add(k.unit)
            .add(nlohmann::json(k.household).dump())
            .add(k.opened_at)
            .add(k.closed_at)
            .add(k.updated_at)
            .add(k.organisation)
            .add(k.closure_reason),
        "store case");
  }
  for (const std::string& person : k.household) {
    if (!ok) break;
    ok = c.run("INSERT INTO case_member (person_id, client_id, case_id) VALUES ($1, $2, $3)",
               Params().add(person).add(k.client_id).add(k.case_id), "store case member");
  }
  return ok;
}

std::expected<std::optional<CaseRecord>, StoreError> case_file(Connection& c, const std::string& organisation,
                                                               const std::string& case_id) {
  // The empty organisation is no organisation's (rows from before organisations).
  if (organisation.empty()) return std::nullopt;
  return read_case(c, "organisation = $1 AND case_id = $2", organisation, case_id);
}

std::expected<std::vector<CaseRecord>, StoreError> open_cases_with_member(Connection& c, const std::string& person_id) {
  auto keys = c.query(
      "SELECT m.client_id, m.case_id FROM case_member m JOIN case_file f "
      "ON f.client_id = m.client_id AND f.case_id = m.case_id "
      "WHERE m.person_id = $1 AND f.status = 'open' ORDER BY m.client_id, m.case_id",
      Params().add(person_id), "read cases of a person");
  if (!keys) return std::unexpected(keys.error());
  std::vector<CaseRecord> cases;
  for (int i = 0; i < keys->rows(); ++i) {
    auto found = read_case(c, "client_id = $1 AND case_id = $2", keys->text(i, 0), keys->text(i, 1));
    if (!found) return std::unexpected(found.error());
    if (*found) cases.push_back(std::move(**found));
  }
  return cases;
}

}  // namespace knutpunkt::pg
