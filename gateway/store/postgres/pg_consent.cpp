#include "store/postgres/pg_consent.h"

#include "store/postgres/pg_json.h"

namespace knutpunkt::pg {

std::string_view consent_schema() {
  return R"sql(
    -- Rows are never deleted: a withdrawal sets withdrawn_at, so an auditor can see what held
    -- when. information_types and organisations are JSON arrays of strings.
    CREATE TABLE consent (
      consent_id         text COLLATE "C" PRIMARY KEY,
      person_id          text NOT NULL,
      id_kind            text NOT NULL,
      partner            text NOT NULL,
      information_types  text NOT NULL,
      given_at           text NOT NULL,
      expires_at         text NOT NULL,
      withdrawn_at       text NOT NULL DEFAULT '',
      document_reference text NOT NULL,
      case_id            text NOT NULL,
      client_id          text NOT NULL,
      recorded_at        text COLLATE "C" NOT NULL,
      organisations      text NOT NULL DEFAULT '[]',
      organisation       text NOT NULL DEFAULT '',
      held_by            text NOT NULL DEFAULT ''
    );
    CREATE INDEX consent_person ON consent (person_id, recorded_at);
  )sql";
}

namespace {

constexpr std::string_view kConsentColumns =
    "consent_id, person_id, id_kind, partner, information_types, given_at, expires_at, withdrawn_at, "
    "document_reference, case_id, client_id, recorded_at, organisations, organisation, held_by";

ConsentRecord read_consent(const Result& r, int row) {
  ConsentRecord c;
  c.consent_id = r.text(row, 0);
  c.person_id = r.text(row, 1);
  c.id_kind = r.text(row, 2);
  c.partner = r.text(row, 3);
  c.information_types = decode_string_set(r.text(row, 4));
  c.given_at = r.text(row, 5);
  c.expires_at = r.text(row, 6);
  c.withdrawn_at = r.text(row, 7);
  c.document_reference = r.text(row, 8);
  c.case_id = r.text(row, 9);
  c.client_id = r.text(row, 10);
  c.recorded_at = r.text(row, 11);
  c.organisations = decode_string_set(r.text(row, 12));
  c.organisation = r.text(row, 13);
  c.held_by = r.text(row, 14);
  return c;
}

}  // namespace

std::expected<void, StoreError> apply(Connection& c, const store_write::PutConsent& w) {
  const ConsentRecord& k = w.consent;
  auto types = encode_json(nlohmann::json(k.information_types));
  if (!types) return std::unexpected(types.error());
  auto organisations = encode_json(nlohmann::json(k.organisations));
  if (!organisations) return std::unexpected(organisations.error());
  return c.run("INSERT INTO consent (" + std::string(kConsentColumns) +
                   ") VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)",
               Params()
                   .add(k.consent_id)
                   .add(k.person_id)
                   .add(k.id_kind)
                   .add(k.partner)
                   .add(*types)
                   .add(k.given_at)
                   .add(k.expires_at)
                   .add(k.withdrawn_at)
                   .add(k.document_reference)
                   .add(k.case_id)
                   .add(k.client_id)
                   .add(k.recorded_at)
                   .add(*organisations)
                   .add(k.organisation)
                   .add(k.held_by),
               "store consent");
}

std::expected<void, StoreError> apply(Connection& c, const store_write::WithdrawConsent& w) {
  // The first withdrawal counts; a repeat changes nothing.
  return c.run("UPDATE consent SET withdrawn_at = $2 WHERE consent_id = $1 AND withdrawn_at = ''",
               Params().add(w.consent_id).add(w.withdrawn_at), "withdraw consent");
}

std::expected<std::optional<ConsentRecord>, StoreError> consent(Connection& c, const std::string& consent_id) {
  auto r = c.query("SELECT " + std::string(kConsentColumns) + " FROM consent WHERE consent_id = $1",
                   Params().add(consent_id), "read consent");
  if (!r) return std::unexpected(r.error());
  if (r->rows() == 0) return std::nullopt;
  return read_consent(*r, 0);
}

std::expected<std::vector<ConsentRecord>, StoreError> consents_for_person(Connection& c, const std::string& person_id) {
  auto r = c.query("SELECT " + std::string(kConsentColumns) +
                       " FROM consent WHERE person_id = $1 ORDER BY recorded_at DESC, consent_id",
                   Params().add(person_id), "read consents");
  if (!r) return std::unexpected(r.error());
  std::vector<ConsentRecord> list;
  for (int i = 0; i < r->rows(); ++i) list.push_back(read_consent(*r, i));
  return list;
}

}  // namespace knutpunkt::pg
