#pragma once
// The audit log in PostgreSQL: records, the chain head every writer locks, the auditors' index,
// and retention checkpoints. The SQLite store's behaviour is the specification.
#include <cstdint>
#include <expected>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "store/audit_store.h"
#include "store/committer.h"
#include "store/postgres/pg_connection.h"

namespace knutpunkt::pg {

std::string_view audit_schema();

// Rows read per statement while scanning, so no read holds a snapshot for long.
inline constexpr int kScanPageRows = 512;
inline constexpr int kMaxSearchLimit = 10000;

// Locks the chain head (one row, FOR UPDATE) for the rest of the transaction and returns it:
// every commit takes this lock first, so commits from every process and instance are serialised
// on it (the chain never forks; seq and position values are taken in commit order). nullopt: the
// log holds no record.
std::expected<std::optional<AuditChainTip>, StoreError> lock_chain_head(Connection& c);

// Inserts one record with its index rows (`body` encoded, `entry` its index entry). The head is
// the caller's to move.
std::expected<void, StoreError> insert_audit_record(Connection& c, const AuditRecord& record, const std::string& body,
                                                    const AuditIndexEntry& entry);

// Moves the head to (seq, hash) unless it is at a higher seq already.
std::expected<void, StoreError> move_chain_head(Connection& c, std::int64_t seq, const std::string& hash);

// Inserts the records with their index rows and moves the head to the highest seq stored.
// `bodies` are the records' encoded bodies, `entries` their index entries, in the same order.
std::expected<void, StoreError> insert_audit_records(Connection& c, const std::vector<AuditRecord>& records,
                                                     const std::vector<std::string>& bodies,
                                                     const std::vector<AuditIndexEntry>& entries);

std::expected<void, StoreError> apply(Connection& c, const store_write::RemoveAuditThrough& w);

std::expected<std::optional<AuditCheckpoint>, StoreError> latest_audit_checkpoint(Connection& c);
std::expected<std::optional<AuditRecord>, StoreError> last_audit_record(Connection& c);
// Up to kScanPageRows records with seq >= from_seq, in seq order.
std::expected<std::vector<AuditRecord>, StoreError> audit_page(Connection& c, std::int64_t from_seq);
// Replaces `page` with up to `max_rows` records with seq >= from_seq, in seq order, as stored.
std::expected<void, StoreError> stored_audit_page(Connection& c, std::int64_t from_seq, std::size_t max_rows,
                                                  StoredAuditPage& page);
std::expected<std::optional<std::pair<std::int64_t, std::int64_t>>, StoreError> audit_seq_range(
    Connection& c, const std::string& since, const std::string& until);

// The seq window an index query reads: its cursor, narrowed by its time bounds when needed.
struct SeqWindow {
  std::int64_t after = 0;   // exclusive; 0 = from the first
  std::int64_t before = 0;  // exclusive; 0 = to the last
  bool empty = false;
};
std::expected<SeqWindow, StoreError> audit_seq_window(Connection& c, const AuditQuery& q);
// Up to `limit` indexed records matching `q` inside `w`, newest or oldest first.
std::expected<std::vector<IndexedAuditRecord>, StoreError> audit_index_page(Connection& c, const AuditQuery& q,
                                                                            bool oldest_first, const SeqWindow& w,
                                                                            int limit);

}  // namespace knutpunkt::pg
