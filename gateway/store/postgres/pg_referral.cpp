#include "store/postgres/pg_referral.h"

#include "store/postgres/pg_json.h"

namespace knutpunkt::pg {

std::string_view referral_schema() {
  return R"sql(
    CREATE TABLE referral (
      referral_id        text PRIMARY KEY,
      client_id          text NOT NULL,
      case_id            text NOT NULL,
      destination        text NOT NULL,
      person_id          text NOT NULL,
      protected_identity boolean NOT NULL,
      created_at         text NOT NULL,
      body               text NOT NULL
    );
    -- One acceptance per client and key, whichever instance got the request.
    CREATE TABLE idempotency_key (
      client_id     text NOT NULL,
      key           text NOT NULL,
      request_hash  text NOT NULL,
      http_status   integer NOT NULL,
      response_body text NOT NULL,
      created_at    text NOT NULL,
      PRIMARY KEY (client_id, key)
    );
    -- One receipt per partner message, whichever instance it reached.
    CREATE TABLE inbound_receipt (
      partner            text NOT NULL,
      partner_message_id text NOT NULL,
      referral_id        text NOT NULL,
      received_at        text NOT NULL,
      PRIMARY KEY (partner, partner_message_id)
    );
  )sql";
}

std::string_view referral_change_schema() {
  return R"sql(
    -- A referral changes and may be withdrawn after it was accepted. The row holds it as it is
    -- now; referral_change keeps every version after the first. A plain INSERT there is what
    -- stops two changes made from the same version, on any instances, from both landing.
    ALTER TABLE referral ADD COLUMN status text NOT NULL DEFAULT 'active';
    ALTER TABLE referral ADD COLUMN version integer NOT NULL DEFAULT 1;
    ALTER TABLE referral ADD COLUMN consent_id text NOT NULL DEFAULT '';
    ALTER TABLE referral ADD COLUMN updated_at text NOT NULL DEFAULT '';
    CREATE INDEX referral_consent ON referral (consent_id) WHERE consent_id <> '';
    CREATE INDEX referral_case ON referral (client_id, case_id);
    CREATE TABLE referral_change (
      referral_id text NOT NULL,
      version     integer NOT NULL,
      status      text NOT NULL,
      body        text NOT NULL,
      recorded_at text NOT NULL,
      PRIMARY KEY (referral_id, version)
    );
    CREATE FUNCTION referral_change_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      RAISE EXCEPTION 'referral_change is append-only';
    END $$;
    CREATE TRIGGER referral_change_no_update BEFORE UPDATE ON referral_change
      FOR EACH ROW EXECUTE FUNCTION referral_change_append_only();
    -- Why a case was closed (the case system's code), kept with the case.
    ALTER TABLE case_file ADD COLUMN closure_reason text NOT NULL DEFAULT '';
  )sql";
}

std::string referral_status_schema() {
  return R"sql(
    -- The periodic scans of active referrals (attendance summaries of months with nothing
    -- reported, time limits) page over them alone, by id, never over every referral ever made.
    CREATE INDEX referral_status ON referral (status, referral_id);
  )sql";
}

namespace {

constexpr const char* kReferralColumns =
    "referral_id, client_id, case_id, destination, person_id, protected_identity, created_at, body, status, version, "
    "consent_id, updated_at";

// The referrals matching `where` in `order` (oldest first unless told), `limit` (a LIMIT clause)
// when given.
std::expected<std::vector<ReferralRecord>, StoreError> read_referrals(
    Connection& c, const std::string& where, Params params, std::string_view order = "created_at, referral_id",
    std::string_view limit = "") {
  auto r = c.query(std::string("SELECT ") + kReferralColumns + " FROM referral WHERE " + where + " ORDER BY " +
                       std::string(order) + std::string(limit),
                   params, "read referral");
  if (!r) return std::unexpected(r.error());
  std::vector<ReferralRecord> out;
  for (int i = 0; i < r->rows(); ++i) {
    ReferralRecord record;
    record.referral_id = r->text(i, 0);
    record.client_id = r->text(i, 1);
    record.case_id = r->text(i, 2);
    record.destination = r->text(i, 3);
    record.person_id = r->text(i, 4);
    record.protected_identity = r->boolean(i, 5);
    record.created_at = r->text(i, 6);
    record.referral = decode_json(r->text(i, 7));
    record.status = r->text(i, 8);
    record.version = r->int32(i, 9);
    record.consent_id = r->text(i, 10);
    record.updated_at = r->text(i, 11);
    out.push_back(std::move(record));
  }
  return out;
}

}  // namespace

std::expected<void, StoreError> apply(Connection& c, const store_write::PutReferral& w) {
  const ReferralRecord& r = w.referral;
  auto body = encode_json(r.referral);
  if (!body) return std::unexpected(body.error());
  return c.run(std::string("INSERT INTO referral (") + kReferralColumns +
                   ") VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)",
               Params()
                   .add(r.referral_id)
                   .add(r.client_id)
                   .add(r.case_id)
                   .add(r.destination)
                   .add(r.person_id)
                   .add(r.protected_identity)
                   .add(r.created_at)
                   .add(*body)
                   .add(r.status)
                   .add(r.version)
                   .add(r.consent_id)
                   .add(r.updated_at),
               "store referral");
}

std::expected<void, StoreError> apply(Connection& c, const store_write::ChangeReferral& w) {
  const ReferralRecord& r = w.referral;
  auto body = encode_json(r.referral);
  if (!body) return std::unexpected(body.error());
  auto version = c.run(
      "INSERT INTO referral_change (referral_id, version, status, body, recorded_at) VALUES ($1, $2, $3, $4, $5)",
      Params().add(r.referral_id).add(r.version).add(r.status).add(*body).add(r.updated_at), "store referral change");
  if (!version) return version;
  return c.run(
      "UPDATE referral SET status = $2, version = $3, body = $4, updated_at = $5 WHERE referral_id = $1 AND version < "
      "$3",
      Params().add(r.referral_id).add(r.status).add(r.version).add(*body).add(r.updated_at), "change referral");
}

std::expected<void, StoreError> apply(Connection& c, const store_write::PutIdempotency& w) {
  const IdempotencyRecord& r = w.record;
  return c.run(
      "INSERT INTO idempotency_key (client_id, key, request_hash, http_status, response_body, created_at) "
      "VALUES ($1, $2, $3, $4, $5, $6)",
      Params()
          .add(r.client_id)
          .add(r.key)
          .add(r.request_hash)
          .add(r.http_status)
          .add(r.response_body)
          .add(r.created_at),
      "store idempotency key");
}

std::expected<void, StoreError> apply(Connection& c, const store_write::PutInboundReceipt& w) {
  return c.run(
      "INSERT INTO inbound_receipt (partner, partner_message_id, referral_id, received_at) VALUES ($1, $2, $3, $4)",
      Params().add(w.partner).add(w.partner_message_id).add(w.referral_id).add(w.received_at), "store inbound receipt");
}

std::expected<std::optional<ReferralRecord>, StoreError> referral(Connection& c, const std::string& referral_id) {
  auto found = read_referrals(c, "referral_id = $1", Params().add(referral_id));
  if (!found) return std::unexpected(found.error());
  if (found->empty()) return std::nullopt;
  return std::move(found->front());
}

std::expected<std::vector<ReferralRecord>, StoreError> referrals_on_consent(Connection& c,
                                                                            const std::string& consent_id) {
  if (consent_id.empty()) return std::vector<ReferralRecord>{};
  return read_referrals(c, "consent_id = $1", Params().add(consent_id));
}

std::expected<std::vector<ReferralRecord>, StoreError> referrals_of_case(Connection& c, const std::string& client_id,
                                                                         const std::string& case_id) {
  return read_referrals(c, "client_id = $1 AND case_id = $2", Params().add(client_id).add(case_id));
}

std::expected<std::vector<ReferralRecord>, StoreError> referrals_with_status(Connection& c, const std::string& status,
                                                                             const std::string& after_referral_id,
                                                                             int limit) {
  return read_referrals(c, "status = $1 AND referral_id > $2", Params().add(status).add(after_referral_id).limit(limit),
                        "referral_id", " LIMIT $3");
}

std::expected<std::optional<IdempotencyRecord>, StoreError> idempotency(Connection& c, const std::string& client_id,
                                                                        const std::string& key) {
  auto r = c.query(
      "SELECT request_hash, http_status, response_body, created_at FROM idempotency_key "
      "WHERE client_id = $1 AND key = $2",
      Params().add(client_id).add(key), "read idempotency key");
  if (!r) return std::unexpected(r.error());
  if (r->rows() == 0) return std::nullopt;
  return IdempotencyRecord{client_id, key, r->text(0, 0), r->int32(0, 1), r->text(0, 2), r->text(0, 3)};
}

std::expected<bool, StoreError> inbound_seen(Connection& c, const std::string& partner,
                                             const std::string& partner_message_id) {
  auto r = c.query("SELECT 1 FROM inbound_receipt WHERE partner = $1 AND partner_message_id = $2",
                   Params().add(partner).add(partner_message_id), "read inbound receipt");
  if (!r) return std::unexpected(r.error());
  return r->rows() > 0;
}

}  // namespace knutpunkt::pg
