#include "store/postgres/pg_conflict.h"

#include <variant>

namespace knutpunkt::pg {
namespace {

std::expected<bool, StoreError> stored(Connection& c, std::string_view sql, const Params& key) {
  auto r = c.query(sql, key, "check for a stored key");
  if (!r) return std::unexpected(r.error());
  return r->rows() > 0;
}

}  // namespace

std::expected<const char*, StoreError> first_conflict(Connection& c, const std::vector<StoreWrite>& writes) {
  for (const StoreWrite& w : writes) {
    std::expected<bool, StoreError> found = false;
    const char* what = nullptr;
    if (const auto* k = std::get_if<store_write::PutIdempotency>(&w)) {
      what = "the idempotency key";
      found = stored(c, "SELECT 1 FROM idempotency_key WHERE client_id = $1 AND key = $2",
                     Params().add(k->record.client_id).add(k->record.key));
    } else if (const auto* r = std::get_if<store_write::PutInboundReceipt>(&w)) {
      what = "the partner's message id";
      found = stored(c, "SELECT 1 FROM inbound_receipt WHERE partner = $1 AND partner_message_id = $2",
                     Params().add(r->partner).add(r->partner_message_id));
    } else if (const auto* m = std::get_if<store_write::PutSipReminder>(&w)) {
      what = "the reminder";
      found = stored(c, "SELECT 1 FROM sip_reminder WHERE plan_id = $1 AND kind = $2 AND key = $3",
                     Params().add(m->plan_id).add(m->kind).add(m->key));
    } else if (const auto* p = std::get_if<store_write::PutSipPlan>(&w)) {
      what = "the plan version";
      found = stored(c, "SELECT 1 FROM sip_plan_version WHERE plan_id = $1 AND version = $2",
                     Params().add(p->record.plan_id).add(p->record.version));
    } else if (const auto* a = std::get_if<store_write::RecordAttempt>(&w)) {
      what = "the delivery attempt";
      found = stored(c, "SELECT 1 FROM delivery_attempt WHERE message_id = $1 AND number = $2",
                     Params().add(a->attempt.message_id).add(a->attempt.number));
    }
    if (!found) return std::unexpected(found.error());
    if (*found) return what;
  }
  return nullptr;
}

}  // namespace knutpunkt::pg
