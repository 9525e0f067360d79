#include "store/postgres/pg_conflict.h"

#include <set>
#include <variant>

namespace knutpunkt::pg {
namespace {

// One key a write would store, and the statement that finds it stored.
struct KeyCheck {
  const char* what;
  std::string key;  // the kind and the values, to find the same key twice in one batch
  Statement statement;
};

KeyCheck check(const char* what, std::string_view sql, Params key) {
  std::string joined = what;
  for (const auto& v : key.values()) joined += '\x1f' + v.value_or("");
  return KeyCheck{what, std::move(joined), Statement{std::string(sql), std::move(key), "check for a stored key"}};
}

std::optional<KeyCheck> key_of(const StoreWrite& w) {
  if (const auto* k = std::get_if<store_write::PutIdempotency>(&w)) {
    return check("the idempotency key", "SELECT 1 FROM idempotency_key WHERE client_id = $1 AND key = $2",
                 Params().add(k->record.client_id).add(k->record.key));
  }
  if (const auto* r = std::get_if<store_write::PutInboundReceipt>(&w)) {
    return check("the partner's message id",
                 "SELECT 1 FROM inbound_receipt WHERE partner = $1 AND partner_message_id = $2",
                 Params().add(r->partner).add(r->partner_message_id));
  }
  if (const auto* m = std::get_if<store_write::PutSipReminder>(&w)) {
    return check("the reminder", "SELECT 1 FROM sip_reminder WHERE plan_id = $1 AND kind = $2 AND key = $3",
                 Params().add(m->plan_id).add(m->kind).add(m->key));
  }
  if (const auto* r = std::get_if<store_write::ChangeReferral>(&w)) {
    return check("the referral version", "SELECT 1 FROM referral_change WHERE referral_id = $1 AND version = $2",
                 Params().add(r->referral.referral_id).add(r->referral.version));
  }
  if (const auto* t = std::get_if<store_write::PutReferralReminder>(&w)) {
    return check("the reminder", "SELECT 1 FROM referral_reminder WHERE referral_id = $1 AND kind = $2 AND key = $3",
                 Params().add(t->referral_id).add(t->kind).add(t->key));
  }
  if (const auto* p = std::get_if<store_write::PutSipPlan>(&w)) {
    return check("the plan version", "SELECT 1 FROM sip_plan_version WHERE plan_id = $1 AND version = $2",
                 Params().add(p->record.plan_id).add(p->record.version));
  }
  if (const auto* d = std::get_if<store_write::PutAttendanceDay>(&w)) {
    // The version decided on must follow the one stored: otherwise another report changed the
    // day since it was read.
    return check("a newer version of the attendance day",
                 "SELECT 1 WHERE COALESCE((SELECT version FROM attendance_day WHERE referral_id = $1 AND date = $2), "
                 "0) <> $3::integer",
                 Params().add(d->day.referral_id).add(d->day.date).add(d->day.version - 1));
  }
  if (const auto* s = std::get_if<store_write::PutAttendanceSummary>(&w)) {
    return check("the attendance summary revision",
                 "SELECT 1 FROM attendance_summary WHERE referral_id = $1 AND month = $2 AND revision = $3",
                 Params().add(s->summary.referral_id).add(s->summary.month).add(s->summary.revision));
  }
  if (const auto* f = std::get_if<store_write::PutAbsenceFlag>(&w)) {
    return check("the absence flag",
                 "SELECT 1 FROM attendance_month WHERE referral_id = $1 AND month = $2 AND absence_flagged_at <> ''",
                 Params().add(f->referral_id).add(f->month));
  }
  if (const auto* x = std::get_if<store_write::WithdrawAbsenceFlag>(&w)) {
    return check("another absence flag",
                 "SELECT 1 WHERE COALESCE((SELECT absence_flagged_at FROM attendance_month WHERE referral_id = $1 AND "
                 "month = $2), '') <> $3",
                 Params().add(x->referral_id).add(x->month).add(x->flagged_at));
  }
  if (const auto* a = std::get_if<store_write::RecordAttempt>(&w)) {
    return check("the delivery attempt", "SELECT 1 FROM delivery_attempt WHERE message_id = $1 AND number = $2",
                 Params().add(a->attempt.message_id).add(a->attempt.number));
  }
  return std::nullopt;
}

}  // namespace

std::expected<std::vector<const char*>, StoreError> conflicts(Connection& c, const std::vector<CommitEntry>& batch) {
  std::vector<std::vector<KeyCheck>> checks(batch.size());
  std::vector<Statement> statements;
  for (std::size_t i = 0; i < batch.size(); ++i) {
    for (const StoreWrite& w : batch[i].writes) {
      if (auto k = key_of(w)) {
        statements.push_back(k->statement);
        checks[i].push_back(std::move(*k));
      }
    }
  }
  std::vector<const char*> found(batch.size(), nullptr);
  if (statements.empty()) return found;
  auto stored = c.query_all(statements);
  if (!stored) return std::unexpected(stored.error());

  // Keys the entries before this one will store: what the database would hold by the time this
  // entry's writes ran, had each entry been checked after the ones before it were written.
  std::set<std::string> earlier;
  std::size_t next = 0;
  for (std::size_t i = 0; i < batch.size(); ++i) {
    for (const KeyCheck& k : checks[i]) {
      const bool in_database = (*stored)[next++].rows() > 0;
      if (found[i] == nullptr && (in_database || earlier.contains(k.key))) found[i] = k.what;
    }
    if (found[i] == nullptr) {
      for (const KeyCheck& k : checks[i]) earlier.insert(k.key);
    }
  }
  return found;
}

}  // namespace knutpunkt::pg
