#include "audit_review/retention_approval.h"

#include "core/clock.h"
#include "log/log.h"

namespace knutpunkt::audit_review {

RetentionApprovals::RetentionApprovals(Store& store, AuditLog& audit, const audit_export::SigningKey& key,
                                       int retention_days, Clock clock, std::chrono::system_clock::duration validity)
    : store_(store),
      audit_(audit),
      key_(key),
      retention_days_(retention_days),
      clock_(std::move(clock)),
      validity_(validity) {}

void RetentionApprovals::request(const std::string& before, const std::string& admin, nlohmann::json context,
                                 std::function<void(std::expected<RetentionRequest, RetentionError>)> done) {
  const auto now = clock_();
  if (auto allowed = check_cutoff(before, retention_days_, now); !allowed)
    return done(std::unexpected(allowed.error()));
  RetentionRequest request{0, before, admin, format_utc(now), format_utc(now + validity_)};
  nlohmann::json body = std::move(context);
  body["client"] = admin;
  body["before"] = before;
  body["requested_by"] = admin;
  body["expires_at"] = request.expires_at;
  audit_.append(kRetentionRequested, std::move(body),
                [request, done = std::move(done)](std::expected<AuditReceipt, StoreError> receipt) mutable {
                  if (!receipt)
                    return done(std::unexpected(RetentionError{"audit_unavailable", receipt.error().message}));
                  request.id = receipt->seq;
                  request.requested_at = receipt->recorded_at;
                  done(std::move(request));
                });
}

std::expected<RetentionRequest, RetentionError> RetentionApprovals::find(std::int64_t id) {
  std::optional<AuditRecord> found;
  auto scanned = store_.scan_audit(id, [&](const AuditRecord& r) {
    if (r.seq == id) found = r;
    return false;
  });
  if (!scanned) return std::unexpected(RetentionError{"store_unavailable", scanned.error().message});
  if (!found || found->kind != kRetentionRequested || !found->body.is_object()) {
    return std::unexpected(RetentionError{"not_found", "there is no retention request with this id"});
  }
  const auto& b = found->body;
  return RetentionRequest{id, b.value("before", ""), b.value("requested_by", ""), found->recorded_at,
                          b.value("expires_at", "")};
}

std::expected<bool, RetentionError> RetentionApprovals::approved(const RetentionRequest& request) {
  AuditQuery q;
  q.kind = kRetentionApproved;
  q.since = request.requested_at;
  bool found = false;
  auto scanned = store_.scan_audit_index(q, /*oldest_first=*/true, [&](const IndexedAuditRecord& r) {
    const auto& b = r.record.body;
    found = b.is_object() && b.contains("request_seq") && b["request_seq"] == request.id;
    return !found;
  });
  if (!scanned) return std::unexpected(RetentionError{"store_unavailable", scanned.error().message});
  return found;
}

void RetentionApprovals::finish(std::int64_t id) {
  std::lock_guard lock(mutex_);
  approving_.erase(id);
}

void RetentionApprovals::approve(std::int64_t id, const std::string& admin, nlohmann::json context,
                                 std::function<void(std::expected<RetentionOutcome, RetentionError>)> done) {
  {
    // One approval at a time per request: two admins approving at once must not both pass the
    // "not yet approved" check before either record is durable.
    std::lock_guard lock(mutex_);
    if (!approving_.insert(id).second) {
      return done(std::unexpected(RetentionError{"in_progress", "this request is being approved"}));
    }
  }
  const auto fail = [this, id, &done](RetentionError e) {
    finish(id);
    done(std::unexpected(std::move(e)));
  };
  auto request = find(id);
  if (!request) return fail(request.error());
  if (request->requested_by == admin) {
    return fail(
        {"same_admin", "a retention request must be approved by another administrator than the one who made it"});
  }
  if (format_utc(clock_()) >= request->expires_at)
    return fail({"expired", "the request expired at " + request->expires_at});
  auto used = approved(*request);
  if (!used) return fail(used.error());
  if (*used) return fail({"already_approved", "the request has already been approved and run"});

  nlohmann::json body = std::move(context);
  body["client"] = admin;
  body["request_seq"] = id;
  body["requested_by"] = request->requested_by;
  body["approved_by"] = admin;
  body["before"] = request->before;
  // The approval is given for one run: once it is durable the request is used, even if the run
  // then finds the chain broken (the admins look into that first and ask again).
  audit_.append(kRetentionApproved, std::move(body),
                [this, id, admin, request = *request,
                 done = std::move(done)](std::expected<AuditReceipt, StoreError> receipt) mutable {
                  finish(id);
                  if (!receipt)
                    return done(std::unexpected(RetentionError{"audit_unavailable", receipt.error().message}));
                  log::info("audit.retention_approved", {{"request_seq", id}, {"approval_seq", receipt->seq}});
                  apply_retention(store_, audit_, key_, request.before, retention_days_, clock_(),
                                  RetentionMandate{admin, id, request.requested_by, receipt->seq}, std::move(done));
                });
}

}  // namespace knutpunkt::audit_review
