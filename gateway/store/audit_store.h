#pragma once
// The audit log as stored, and the auditors' index over it (written by Committer with the records).
#include <cstdint>
#include <expected>
#include <functional>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
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

// One audit record's columns exactly as the database holds them: the body is its stored text,
// not parsed. Views into the StoredAuditPage that holds them.
struct StoredAuditRecord {
  std::int64_t seq = 0;
  std::string_view recorded_at;
  std::string_view kind;
  std::string_view body;
  std::string_view prev_hash;
  std::string_view hash;
};

// A page of records as stored, all of their text in one buffer: reading a page allocates nothing
// per record, and a page that is cleared and filled again reuses its memory. For reading the
// whole log fast (verification).
class StoredAuditPage {
 public:
  void clear() {
    bytes_.clear();
    rows_.clear();
  }
  void add(std::int64_t seq, std::string_view recorded_at, std::string_view kind, std::string_view body,
           std::string_view prev_hash, std::string_view hash) {
    Row row{seq, {}};
    std::size_t at = 0;
    for (std::string_view column : {recorded_at, kind, body, prev_hash, hash}) {
      row.ends[at++] = bytes_.append(column).size();
    }
    rows_.push_back(row);
  }
  std::size_t size() const { return rows_.size(); }
  bool empty() const { return rows_.empty(); }
  // Valid until the page is changed.
  StoredAuditRecord operator[](std::size_t i) const {
    const Row& row = rows_[i];
    std::size_t begin = i == 0 ? 0 : rows_[i - 1].ends[4];
    std::string_view columns[5];
    for (std::size_t c = 0; c < 5; ++c) {
      columns[c] = std::string_view(bytes_).substr(begin, row.ends[c] - begin);
      begin = row.ends[c];
    }
    return {row.seq, columns[0], columns[1], columns[2], columns[3], columns[4]};
  }

 private:
  struct Row {
    std::int64_t seq;
    std::size_t ends[5];  // where each text column ends in bytes_
  };
  std::string bytes_;
  std::vector<Row> rows_;
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

  // Replaces `page` with up to `max_rows` records with seq >= from_seq, in seq order, as stored
  // (scan_audit's records before their bodies are parsed); fewer than max_rows: the log ends
  // there. One short read with no lock held afterwards, as for scan_audit.
  virtual std::expected<void, StoreError> read_stored_audit_page(std::int64_t from_seq, std::size_t max_rows,
                                                                 StoredAuditPage& page) = 0;

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
