#include "audit_review/retention.h"

#include "audit/audit_chain.h"
#include "audit/audit_checkpoint.h"
#include "core/clock.h"
#include "log/log.h"

namespace knutpunkt::audit_review {

bool checkpoint_signature_valid(const AuditCheckpoint& checkpoint, const audit_export::VerifyingKey& key) {
  const auto bytes = checkpoint_signed_bytes(checkpoint);
  return bytes && checkpoint.key_id == key.key_id() && key.verify(*bytes, checkpoint.signature);
}

std::optional<std::string> retention_floor(int retention_days, std::chrono::system_clock::time_point now) {
  if (retention_days <= 0) return std::nullopt;
  return format_utc(now - std::chrono::days{retention_days});
}

std::expected<void, RetentionError> check_cutoff(const std::string& cutoff, int retention_days,
                                                 std::chrono::system_clock::time_point now) {
  const auto floor = retention_floor(retention_days, now);
  if (!floor) {
    return std::unexpected(
        RetentionError{"kept_for_ever", "audit.retention_days is 0: the audit log is kept for ever"});
  }
  // Both are RFC 3339 UTC with milliseconds, so the text orders as the time does.
  if (cutoff > *floor) {
    return std::unexpected(RetentionError{
        "after_retention_floor",
        "must not be later than now minus audit.retention_days (" + std::to_string(retention_days) + " days)"});
  }
  return {};
}

void apply_retention(Store& store, AuditLog& audit, const audit_export::SigningKey& key, const std::string& cutoff,
                     int retention_days, std::chrono::system_clock::time_point now, const RetentionMandate& mandate,
                     std::function<void(std::expected<RetentionOutcome, RetentionError>)> done) {
  if (auto allowed = check_cutoff(cutoff, retention_days, now); !allowed) return done(std::unexpected(allowed.error()));
  auto head = store.last_audit_record();
  if (!head) return done(std::unexpected(RetentionError{"store_unavailable", head.error().message}));
  auto previous = store.latest_audit_checkpoint();
  if (!previous) return done(std::unexpected(RetentionError{"store_unavailable", previous.error().message}));
  if (!*head) return done(RetentionOutcome{});

  // The run of records, from the oldest remaining one, recorded before the cut-off. The clock
  // may have stepped back, so the run stops at the first record at or after it: nothing newer
  // than the cut-off is ever removed. It also stops short of the head.
  std::int64_t expected_seq = *previous ? (*previous)->through_seq : 0;
  std::string expected_prev = *previous ? (*previous)->through_hash : genesis_hash();
  AuditCheckpoint checkpoint;
  std::optional<RetentionError> failure;
  std::string last_removed_at;
  auto scanned = store.scan_audit(1, [&](const AuditRecord& r) {
    if (r.seq >= (*head)->seq || r.recorded_at >= cutoff) return false;
    const auto recomputed = record_hash(r);
    if (r.seq != expected_seq + 1 || r.prev_hash != expected_prev || !recomputed || *recomputed != r.hash) {
      failure = RetentionError{"chain_broken", "the chain is broken at seq " + std::to_string(r.seq) +
                                                   "; nothing is removed until it is investigated"};
      return false;
    }
    expected_seq = r.seq;
    expected_prev = r.hash;
    last_removed_at = r.recorded_at;
    ++checkpoint.removed_records;
    return true;
  });
  if (!scanned) return done(std::unexpected(RetentionError{"store_unavailable", scanned.error().message}));
  if (failure) return done(std::unexpected(*failure));
  if (checkpoint.removed_records == 0) return done(RetentionOutcome{});

  const std::int64_t from_seq = expected_seq - checkpoint.removed_records + 1;
  checkpoint.through_seq = expected_seq;
  checkpoint.through_hash = expected_prev;
  checkpoint.removed_before = cutoff;
  checkpoint.created_at = format_utc(now);
  checkpoint.key_id = key.key_id();
  const auto bytes = checkpoint_signed_bytes(checkpoint);
  auto signature = bytes ? key.sign_hex(*bytes) : std::unexpected(audit_export::ExportError{"crypto_error", "", "no bytes"});
  if (!signature) return done(std::unexpected(RetentionError{"crypto_error", signature.error().message}));
  checkpoint.signature = *signature;

  // The removed range as a reader of the remaining chain needs it: which seqs, up to which
  // recorded_at, and on whose request and approval.
  nlohmann::json body = {{"from_seq", from_seq},
                         {"through_seq", checkpoint.through_seq},
                         {"through_hash", checkpoint.through_hash},
                         {"removed_records", checkpoint.removed_records},
                         {"removed_before", cutoff},
                         {"last_removed_at", last_removed_at},
                         {"key_id", checkpoint.key_id},
                         {"signature", checkpoint.signature},
                         {"by", mandate.by}};
  if (mandate.request_seq > 0) {
    body["request_seq"] = mandate.request_seq;
    body["requested_by"] = mandate.requested_by;
    body["approval_seq"] = mandate.approval_seq;
  }
  audit.append("audit.retention_applied", std::move(body), {store_write::RemoveAuditThrough{checkpoint}},
               [checkpoint, done = std::move(done)](std::expected<AuditReceipt, StoreError> receipt) {
                 if (!receipt) return done(std::unexpected(RetentionError{"audit_unavailable", receipt.error().message}));
                 log::info("audit.retention_applied",
                           {{"through_seq", checkpoint.through_seq}, {"removed_records", checkpoint.removed_records}});
                 done(RetentionOutcome{checkpoint.removed_records, checkpoint, *receipt});
               });
}

}  // namespace knutpunkt::audit_review
