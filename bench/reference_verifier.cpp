// The verifier as it was before pages were hashed in parallel: scan_audit, each body parsed and
// serialised again (record_hash), one record at a time. Kept for the benchmark only, as the peer
// the parallel verifier is measured against; the verdicts are the same for a log the gateway
// wrote.
#include "reference_verifier.h"

#include "audit/audit_chain.h"

namespace knutpunkt::bench {
namespace {

// How many removed-then-renumbered records the verifier tries to recognise (one hash each).
constexpr std::int64_t kMaxRenumberShift = 64;

class ChainWalk {
 public:
  ChainWalk(const std::optional<ChainHead>& expected, const std::optional<AuditCheckpoint>& checkpoint)
      : expected_(expected) {
    report_.head_hash = genesis_hash();
    if (checkpoint) {
      // Retention removed everything up to the checkpoint: the chain goes on from its hash.
      report_.checkpoint = checkpoint;
      report_.head_seq = checkpoint->through_seq;
      report_.head_hash = checkpoint->through_hash;
    }
  }

  // Checks `r` against the last sound record and, for link forgeries, against `next`.
  void check(const AuditRecord& r, const AuditRecord* next) {
    const std::int64_t prev_seq = report_.head_seq;
    const std::string& prev_hash = report_.head_hash;
    const bool linked = r.prev_hash == prev_hash && r.seq == prev_seq + 1;
    const auto recomputed = record_hash(r);
    const bool content_sound = recomputed && *recomputed == r.hash;
    const bool next_skips_r = next != nullptr && next->prev_hash == prev_hash;

    // First: the successor chaining past r is the one sign of an insertion that a forger
    // cannot hide (the successor's hash covers its prev_hash).
    if (next_skips_r) return found(r.seq, "inserted", "the next record is chained to the record before this one");
    if (linked) {
      if (!content_sound) return found(r.seq, "changed", content_detail(recomputed));
      return accept(r);
    }
    if (r.seq > prev_seq + 1) {
      return found(prev_seq + 1, "removed",
                   "seq " + std::to_string(prev_seq + 1) + " to " + std::to_string(r.seq - 1) + " are missing");
    }
    for (std::int64_t shift = 1; shift <= kMaxRenumberShift; ++shift) {
      AuditRecord original = r;
      original.seq = r.seq + shift;
      if (auto h = record_hash(original); h && *h == r.hash) {
        return found(r.seq, "removed",
                     std::to_string(shift) +
                         " record(s) removed before this one and the rest renumbered (this was seq " +
                         std::to_string(original.seq) + ")");
      }
    }
    if (content_sound && prev_seq > 0) {
      return found(prev_seq, "changed", "its hash is not the one the next record was chained to (rewritten)");
    }
    return found(r.seq, "changed",
                 content_sound ? "prev_hash does not link to the genesis hash"
                               : "prev_hash does not link to the previous record and " + content_detail(recomputed));
  }

  // After the last record: a checkpoint must have its retention record, and a remembered head
  // beyond the end means the tail was removed.
  void finish() {
    if (report_.first_problem) return;
    if (const auto& c = report_.checkpoint;
        c && (report_.weeded.empty() || report_.weeded.back().through_seq != c->through_seq)) {
      return found(c->through_seq + 1, "removed",
                   "the retention checkpoint through seq " + std::to_string(c->through_seq) +
                       " has no audit.retention_applied record in the chain");
    }
    if (!expected_ || expected_->seq <= report_.head_seq) return;
    found(report_.head_seq + 1, "removed",
          "the remembered head seq " + std::to_string(expected_->seq) + " is not in the log (tail removed)");
  }

  bool failed() const { return report_.first_problem.has_value(); }
  VerifyReport report() && { return std::move(report_); }

 private:
  static std::string content_detail(const std::expected<std::string, CanonicalJsonError>& recomputed) {
    return recomputed ? "the content does not match its hash"
                      : "the content has no canonical form (" + recomputed.error().code + ")";
  }

  static WeededRange weeded_range(const AuditRecord& r) {
    const auto& b = r.body;
    const auto integer = [&](const char* key) {
      return b.contains(key) && b[key].is_number_integer() ? b[key].get<std::int64_t>() : std::int64_t{0};
    };
    const auto text = [&](const char* key) {
      return b.contains(key) && b[key].is_string() ? b[key].get<std::string>() : std::string();
    };
    WeededRange w;
    w.through_seq = integer("through_seq");
    w.removed_records = integer("removed_records");
    // Records of runs before from_seq was written: the range is contiguous, so it follows.
    w.from_seq = b.contains("from_seq") ? integer("from_seq") : w.through_seq - w.removed_records + 1;
    w.removed_before = text("removed_before");
    w.last_removed_at = text("last_removed_at");
    w.weeded_at = r.recorded_at;
    w.record_seq = r.seq;
    w.by = text("by");
    w.request_seq = integer("request_seq");
    w.requested_by = text("requested_by");
    w.approval_seq = integer("approval_seq");
    return w;
  }

  void accept(const AuditRecord& r) {
    if (expected_ && expected_->seq == r.seq && expected_->hash != r.hash) {
      return found(r.seq, "changed", "the hash differs from the remembered head");
    }
    ++report_.records;
    if (r.kind == "audit.retention_applied" && r.body.is_object()) report_.weeded.push_back(weeded_range(r));
    report_.head_seq = r.seq;
    report_.head_hash = r.hash;
  }

  void found(std::int64_t seq, std::string problem, std::string detail) {
    report_.first_problem = VerifyFinding{seq, std::move(problem), std::move(detail)};
  }

  std::optional<ChainHead> expected_;
  VerifyReport report_;
};

std::expected<VerifyReport, StoreError> walk(Store& store, const std::optional<ChainHead>& expected_head) {
  auto checkpoint = store.latest_audit_checkpoint();
  if (!checkpoint) return std::unexpected(std::move(checkpoint.error()));
  ChainWalk walk(expected_head, *checkpoint);
  // One record of look-ahead: an inserted record is recognised by its successor skipping it.
  // A record at or below the checkpoint is one retention should have removed: the walk meets
  // it as a link that does not fit, and names it.
  std::optional<AuditRecord> pending;
  auto scanned = store.scan_audit(1, [&](const AuditRecord& next) {
    if (pending) {
      walk.check(*pending, &next);
      if (walk.failed()) return false;
    }
    pending = next;
    return true;
  });
  if (!scanned) return std::unexpected(std::move(scanned.error()));
  if (!walk.failed() && pending) walk.check(*pending, nullptr);
  walk.finish();
  return std::move(walk).report();
}

}  // namespace

std::expected<VerifyReport, StoreError> verify_chain_sequential(Store& store) {
  return walk(store, std::nullopt);
}

}  // namespace knutpunkt::bench
