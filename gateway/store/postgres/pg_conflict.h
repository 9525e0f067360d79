#pragma once
// The keys a sealed commit's entry may find stored already (Committer::commit_sealed): such an
// entry is refused alone, as the SQLite store refuses it, instead of failing the whole batch.
#include <expected>
#include <vector>

#include "store/committer.h"
#include "store/postgres/pg_connection.h"
#include "store/store_error.h"

namespace knutpunkt::pg {

// For each entry of the batch, the first of its writes that would store a key already stored,
// in the database or by an entry before it in the batch, named for the refusal and never by the
// key's value (it may be personal data); nullptr when none. Every check of the batch travels in
// one round trip. Run under the chain-head lock, which every commit takes, so no other commit
// can store a key between these checks and the inserts.
std::expected<std::vector<const char*>, StoreError> conflicts(Connection& c, const std::vector<CommitEntry>& batch);

}  // namespace knutpunkt::pg
