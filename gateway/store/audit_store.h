#pragma once
// The audit log as stored, and the auditors' index over it (written by Committer with the records).
#include <cstdint>
#include <expected>
#include <functional>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "store/audit_checkpoint.h"
#include "store/audit_index_entry.h"
#include "store/store_error.h"

namespace knutpunkt {

// One entry of the tamper-evident audit log. The hash chain is computed by audit/audit_chain.h;
// the store keeps the fields as given and never recomputes them.
struct AuditRecord {
  std::int64_t seq = 0;
  std::string recorded_at;  // UTC RFC 3339 with milliseconds
  std::string kind;         // e.g. "lookup"
  // Stored as canonical JSON text. A stored body that no longer parses as JSON (someone edited
  // the database) is read back as a `discarded` value rather than failing the read, so that the
  // verifier can name the record instead of stopping.
  nlohmann::json body;
  std::string prev_hash;
  std::string hash;
};

// A search of the audit index. Every non-empty field must match; all combine.
struct AuditQuery {
  std::string person_id;  // 12 digits: records about the person (audit_person)
  std::string case_id, caseworker, client, partner, operation, outcome, kind;  // exact matches
  std::string since, until;     // recorded_at bounds, RFC 3339 UTC as stored: since inclusive, until exclusive
  std::int64_t before_seq = 0;  // cursor: only records with seq < before_seq; 0 = from the newest
  int limit = 50;               // search_audit: at most this many (clamped to 1..10000); scans ignore it
};

// An audit record with what it is indexed by.
struct IndexedAuditRecord {
  AuditRecord record;
  AuditIndexEntry index;
};

class AuditStore {
 public:
  virtual ~AuditStore() = default;

  // The newest retention checkpoint (records up to its through_seq were removed), or nullopt.
  virtual std::expected<std::optional<AuditCheckpoint>, StoreError> latest_audit_checkpoint() = 0;

  // The record with the highest seq, or nullopt for an empty log.
  virtual std::expected<std::optional<AuditRecord>, StoreError> last_audit_record() = 0;

  // Visits records in seq order starting at from_seq; the visitor returns false to stop.
  // Implementations may read in pages and must not hold locks while calling the visitor, so a
  // long verification does not stall the writer.
  virtual std::expected<void, StoreError> scan_audit(std::int64_t from_seq,
                                                     const std::function<bool(const AuditRecord&)>& visit) = 0;

  // Records matching `q`, newest first (seq descending), at most q.limit. For the next page pass
  // the last seq returned as before_seq; ask for limit + 1 to learn whether there is more.
  virtual std::expected<std::vector<IndexedAuditRecord>, StoreError> search_audit(const AuditQuery& q) = 0;

  // Every record matching `q` (limit ignored; before_seq still bounds), oldest or newest first,
  // read in pages with no lock held while `visit` runs; the visitor returns false to stop.
  // For timelines and log checks over a period.
  virtual std::expected<void, StoreError> scan_audit_index(
      const AuditQuery& q, bool oldest_first, const std::function<bool(const IndexedAuditRecord&)>& visit) = 0;

  // The lowest and highest seq of the records with since <= recorded_at < until ("" = open
  // bound), or nullopt when there are none. For exports by time.
  virtual std::expected<std::optional<std::pair<std::int64_t, std::int64_t>>, StoreError> audit_seq_range(
      const std::string& since, const std::string& until) = 0;
};

}  // namespace knutpunkt
