#pragma once
#include <cstddef>
#include <cstdint>
#include <expected>
#include <optional>
#include <string>
#include <vector>

#include "store/store.h"

namespace knutpunkt {

struct VerifyFinding {
  std::int64_t seq = 0;
  std::string problem;  // "changed" | "removed" | "inserted"
  std::string detail;   // English; names fields and seqs, never record content
};

// A range of the log that retention removed, as told by its "audit.retention_applied" record,
// which stays in the chain after the range it removed: which seqs, recorded up to when, weeded
// when, and on whose request and approval.
struct WeededRange {
  std::int64_t from_seq = 0;
  std::int64_t through_seq = 0;
  std::int64_t removed_records = 0;
  std::string removed_before;    // the cut-off: everything recorded before it went
  std::string last_removed_at;   // recorded_at of the last removed record
  std::string weeded_at;         // when: the retention record's recorded_at
  std::int64_t record_seq = 0;   // the "audit.retention_applied" record
  std::string by;                // "retention_schedule", or the admin who approved the run
  std::int64_t request_seq = 0;  // 0: the schedule ran it
  std::string requested_by;
  std::int64_t approval_seq = 0;
};

// {"from_seq", "through_seq", "removed_records", "removed_before", "last_removed_at", "weeded_at",
//  "record_seq", "by", "request": {"seq", "by"} | null, "approval_seq" | null}: as the CLI, the API
// and the console show it.
nlohmann::json to_json(const WeededRange& range);

struct VerifyReport {
  // Where the walk started: after the newest retention checkpoint (whose signature the caller
  // checks with the gateway's public key: audit/audit_checkpoint.h), or at seq 1.
  std::optional<AuditCheckpoint> checkpoint;
  std::int64_t records = 0;  // records checked and found sound (before any problem)
  std::int64_t head_seq = 0;
  std::string head_hash;  // hash of the last sound record (genesis_hash() for an empty log)
  std::optional<VerifyFinding> first_problem;
  // Every weeded range whose retention record is still in the chain, oldest first; the last one
  // is the checkpoint's. A checkpoint with no such record is a problem ("removed").
  std::vector<WeededRange> weeded;
  // The most pages of records the walk held at once (read, being hashed, or being checked):
  // never more than VerifyOptions::pages_in_flight, whatever the log's size.
  std::size_t peak_pages_held = 0;
  bool intact() const { return !first_problem.has_value(); }
};

// A head remembered from earlier (e.g. printed in a daily report, or kept by another system).
struct ChainHead {
  std::int64_t seq = 0;
  std::string hash;
};

// How the walk reads and hashes. The defaults suit a whole log of any size: memory stays at
// about pages_in_flight * page_rows records.
struct VerifyOptions {
  std::size_t page_rows = 2048;     // records read per store call
  unsigned hash_workers = 0;        // threads hashing pages; 0: std::thread::hardware_concurrency(), at least 1
  std::size_t pages_in_flight = 0;  // pages held at once; 0: two per worker, plus one read and one checked
};

// Walks the chain in seq order from seq 1 (or from the record after the newest retention
// checkpoint, whose through_hash the first remaining record must link to), recomputes every
// hash, checks every link, and names the FIRST problem:
//  - "changed":  a record's content no longer matches its hash, or its hash was rewritten so the
//                next record no longer links to it (the finding names the rewritten record); the
//                content is the body's text as stored, so a body rewritten into other text with
//                the same JSON meaning is changed too (audit/stored_record_hasher.h says why);
//  - "removed":  a gap in seq (names the first missing seq), or records removed and the rest
//                renumbered to close the gap (names the first renumbered seq; up to 64 removed
//                records are recognised as such, more read as "changed");
//  - "inserted": a record the next record links past (its prev_hash is the hash of the record
//                before), whether or not the forger renumbered the rest.
// A checkpoint must be vouched for by the "audit.retention_applied" record committed with it
// (same through_seq); a checkpoint without one (moved, or written by hand) is "removed".
// Limit: a chain is only evidence about what it still contains. Removing records from the END
// leaves a shorter chain that verifies; so does appending well-formed records by someone who
// can compute SHA-256. Only a head remembered outside the database catches those: pass it as
// `expected_head` (its record must be present with that hash).
std::expected<VerifyReport, StoreError> verify_chain(Store& store);
std::expected<VerifyReport, StoreError> verify_chain(Store& store, const ChainHead& expected_head);
// The same walk: one thread reads pages of records as stored (AuditStore::read_stored_audit_page),
// workers hash them (audit/stored_record_hasher.h), and the links are checked in seq order on
// the calling thread, so the verdict is the one a record-by-record walk gives.
std::expected<VerifyReport, StoreError> verify_chain(Store& store, const std::optional<ChainHead>& expected_head,
                                                     const VerifyOptions& options);

}  // namespace knutpunkt
