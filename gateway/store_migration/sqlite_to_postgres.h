#pragma once
// Moving a municipality from the embedded SQLite store to PostgreSQL (several instances): every
// table copied from one consistent snapshot of the SQLite file into an empty PostgreSQL database,
// the audit chain record for record with its seqs and hashes, then checked on the target.
#include <cstdint>
#include <expected>
#include <filesystem>
#include <map>
#include <string>

#include "store/postgres/postgres_store.h"
#include "store/store_error.h"

namespace knutpunkt::store_migration {

struct CopyReport {
  std::int64_t audit_records = 0;
  std::int64_t head_seq = 0;  // the chain's tip, the same on both sides
  std::string head_hash;
  std::map<std::string, std::int64_t> rows;  // per copied table, the same on both sides
};

// Copies `source` into the database `target` names, which must hold no data yet (its schema is
// created or brought up to date first). The source is read in one read transaction, so a gateway
// still writing to it does not tear the copy: what it writes after the copy began is not copied.
// Afterwards the target's chain is verified from its first record and every table's row count is
// compared with the snapshot's. Error codes: "target_not_empty", "unknown_table" (a table of the
// source this version does not know how to copy), "chain_broken", "count_mismatch", and the
// stores' own.
std::expected<CopyReport, StoreError> copy_sqlite_to_postgres(const std::filesystem::path& source,
                                                              const PostgresSettings& target);

}  // namespace knutpunkt::store_migration
