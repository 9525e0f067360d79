#pragma once
// The keys a sealed commit's entry may find stored already (Committer::commit_sealed): such an
// entry is refused alone, as the SQLite store refuses it, instead of failing the whole batch.
#include <expected>
#include <vector>

#include "store/postgres/pg_connection.h"
#include "store/store_writes.h"

namespace knutpunkt::pg {

// The first of `writes` that would store a key already stored (in the database or earlier in
// this transaction), named for the refusal and never by the key's value (it may be personal
// data); nullptr when none. Run under the chain-head lock, which every commit takes, so no other
// commit can store the key between this check and the insert.
std::expected<const char*, StoreError> first_conflict(Connection& c, const std::vector<StoreWrite>& writes);

}  // namespace knutpunkt::pg
