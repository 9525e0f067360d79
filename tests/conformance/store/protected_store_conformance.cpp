// ProtectedStore on every backend: persons a partner flagged as protected stay flagged.
#include <catch2/catch.hpp>
#include <set>
#include <string>
#include <vector>

#include "conformance_support.h"
#include "store_backends.h"

using namespace knutpunkt;
using knutpunkt::conformance::BackendStore;
using knutpunkt::conformance::commit_ok;

namespace {}  // namespace

TEST_CASE("a person is protected once any partner flagged them, and stays so when flagged again") {
  STORE_BACKEND(backend);
  BackendStore store(backend);
  CHECK_FALSE(store->is_protected("191212121212").value());
  commit_ok(*store, {}, {store_write::RememberProtected{"191212121212", "ssbtek/FK", "2026-11-01T10:00:00.000Z"}});
  CHECK(store->is_protected("191212121212").value());
  CHECK_FALSE(store->is_protected("197010632391").value());
  // Flagged again, by another source: no error, still protected.
  commit_ok(*store, {}, {store_write::RememberProtected{"191212121212", "jobbtorg", "2026-11-02T10:00:00.000Z"}});
  CHECK(store->is_protected("191212121212").value());
  // Twice in one batch as well.
  commit_ok(*store, {},
            {store_write::RememberProtected{"197010632391", "ssbtek/AF", "2026-11-03T10:00:00.000Z"},
             store_write::RememberProtected{"197010632391", "ssbtek/FK", "2026-11-03T10:00:00.000Z"}});
  CHECK(store->is_protected("197010632391").value());
}

TEST_CASE("a protection flag commits with its batch: a failed batch leaves the person unflagged") {
  STORE_BACKEND(backend);
  BackendStore store(backend);
  const IdempotencyRecord key{"client-a", "k", "fp", 201, "{}", "t"};
  commit_ok(*store, {}, {store_write::PutIdempotency{key}});
  CHECK_FALSE(store
                  ->commit({}, {store_write::RememberProtected{"191212121212", "ssbtek/FK", "2026-11-01T10:00:00.000Z"},
                                store_write::PutIdempotency{key}})
                  .has_value());
  CHECK_FALSE(store->is_protected("191212121212").value());
}
