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

std::expected<void, StoreError> apply(Connection& c, const store_write::PutReferral& w) {
  const ReferralRecord& r = w.referral;
  auto body = encode_json(r.referral);
  if (!body) return std::unexpected(body.error());
  return c.run(
      "INSERT INTO referral (referral_id, client_id, case_id, destination, person_id, protected_identity, "
      "created_at, body) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
      Params()
          .add(r.referral_id)
          .add(r.client_id)
          .add(r.case_id)
          .add(r.destination)
          .add(r.person_id)
          .add(r.protected_identity)
          .add(r.created_at)
          .add(*body),
      "store referral");
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
  auto r = c.query(
      "SELECT client_id, case_id, destination, person_id, protected_identity, created_at, body FROM referral "
      "WHERE referral_id = $1",
      Params().add(referral_id), "read referral");
  if (!r) return std::unexpected(r.error());
  if (r->rows() == 0) return std::nullopt;
  return ReferralRecord{referral_id,   r->text(0, 0),    r->text(0, 1), r->text(0, 2),
                        r->text(0, 3), r->boolean(0, 4), r->text(0, 5), decode_json(r->text(0, 6))};
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
