#pragma once
// Gallring outside the schedule needs two administrators (four-eyes): one records a request for
// a cut-off, another approves it, and only the approval runs it. One admin session alone can
// therefore not erase the evidence of what it did; the request, the approval and the removal are
// each an audit record in the chain that goes on.
//
// The request needs no table of its own: it *is* its "audit.retention_requested" record, found
// by its seq, and it is used once an "audit.retention_approved" record names that seq. The chain
// already makes both durable and tamper-evident, and neither can be weeded while it matters: a
// request lives for `validity` (24 h), retention never reaches records younger than
// audit.retention_days (at least a day), and a checkpoint only ever removes a prefix of the log,
// so while a request is still present so is any approval that names it.
#include <chrono>
#include <cstdint>
#include <expected>
#include <functional>
#include <mutex>
#include <nlohmann/json.hpp>
#include <set>
#include <string>

#include "audit/audit_log.h"
#include "audit_export/signing_key.h"
#include "audit_review/retention.h"
#include "store/store.h"

namespace knutpunkt::audit_review {

inline constexpr const char* kRetentionRequested = "audit.retention_requested";
inline constexpr const char* kRetentionApproved = "audit.retention_approved";

struct RetentionRequest {
  std::int64_t id = 0;  // the seq of its audit record
  std::string before;   // the cut-off, RFC 3339 UTC
  std::string requested_by;
  std::string requested_at;
  std::string expires_at;
};

class RetentionApprovals {
 public:
  using Clock = std::function<std::chrono::system_clock::time_point()>;
  static constexpr std::chrono::hours kDefaultValidity{24};

  RetentionApprovals(Store& store, AuditLog& audit, const audit_export::SigningKey& key, int retention_days,
                     Clock clock, std::chrono::system_clock::duration validity = kDefaultValidity);

  // Records `admin`'s request to remove what was recorded before `before` (RFC 3339 UTC).
  // `context` (the remote address, ...) goes into the record. Refused when the cut-off is later
  // than the retention floor (check_cutoff's codes).
  void request(const std::string& before, const std::string& admin, nlohmann::json context,
               std::function<void(std::expected<RetentionRequest, RetentionError>)> done);

  // Approves request `id` as `admin` and runs it. Errors: "not_found" (no such request),
  // "same_admin" (the requester cannot approve their own request), "expired", "already_approved",
  // "in_progress" (another approval of it is being recorded), and apply_retention's.
  void approve(std::int64_t id, const std::string& admin, nlohmann::json context,
               std::function<void(std::expected<RetentionOutcome, RetentionError>)> done);

  // The request with seq `id`, whether or not it is still open.
  std::expected<RetentionRequest, RetentionError> find(std::int64_t id);

 private:
  std::expected<bool, RetentionError> approved(const RetentionRequest& request);
  void finish(std::int64_t id);

  Store& store_;
  AuditLog& audit_;
  const audit_export::SigningKey& key_;
  int retention_days_;
  Clock clock_;
  std::chrono::system_clock::duration validity_;
  std::mutex mutex_;
  std::set<std::int64_t> approving_;  // between the checks and the approval's record being durable
};

}  // namespace knutpunkt::audit_review
