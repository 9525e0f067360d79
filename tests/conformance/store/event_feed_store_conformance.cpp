// EventFeedStore on every backend: each client's case events after a cursor, in commit order.
#include <catch2/catch.hpp>
#include <string>
#include <vector>

#include "conformance_support.h"
#include "store_backends.h"

using namespace knutpunkt;
using knutpunkt::conformance::BackendStore;
using knutpunkt::conformance::commit_ok;
using knutpunkt::conformance::event;

namespace {}  // namespace

TEST_CASE("the event feed gives one client's events after a cursor, in commit order, up to the limit") {
  STORE_BACKEND(backend);
  BackendStore store(backend);
  for (int i = 1; i <= 6; ++i) {
    commit_ok(*store, {},
              {event("a-" + std::to_string(i), "client-a", i), event("b-" + std::to_string(i), "client-b", i)});
  }
  auto first = store->events_after("client-a", 0, 4);
  REQUIRE(first.has_value());
  REQUIRE(first->size() == 4);
  for (int i = 0; i < 4; ++i) {
    CHECK((*first)[i].event_id == "a-" + std::to_string(i + 1));
    CHECK((*first)[i].client_id == "client-a");
    CHECK((*first)[i].envelope["n"] == i + 1);
    if (i > 0) CHECK((*first)[i].seq > (*first)[i - 1].seq);
  }
  auto rest = store->events_after("client-a", first->back().seq, 4);
  REQUIRE(rest.has_value());
  REQUIRE(rest->size() == 2);
  CHECK((*rest)[0].event_id == "a-5");
  CHECK((*rest)[1].event_id == "a-6");
  CHECK(store->events_after("client-a", rest->back().seq, 4)->empty());
  // The same read gives the same answer (a stable order for clients that re-read).
  auto again = store->events_after("client-a", 0, 4);
  for (int i = 0; i < 4; ++i) CHECK((*again)[i].seq == (*first)[i].seq);
  CHECK(store->events_after("client-c", 0, 10)->empty());
  // An event id is unique across the feed.
  CHECK_FALSE(store->commit({}, {event("a-1", "client-b", 99)}).has_value());
}

TEST_CASE("an event reads back field for field, its envelope intact") {
  STORE_BACKEND(backend);
  BackendStore store(backend);
  const nlohmann::json envelope = {{"event_id", "e-1"},
                                   {"type", "referral.accepted"},
                                   {"data", {{"mottagare", "Jobbtorg Söder"}, {"antal", 2}, {"klar", false}}},
                                   {"tom", nullptr}};
  commit_ok(*store, {}, {store_write::AppendEvent{"e-1", "client-a", "EB-7", "corr-9", "referral.accepted", envelope}});
  const auto events = store->events_after("client-a", 0, 10).value();
  REQUIRE(events.size() == 1);
  CHECK(events[0].event_id == "e-1");
  CHECK(events[0].client_id == "client-a");
  CHECK(events[0].envelope == envelope);
  CHECK(events[0].seq > 0);
  CHECK(store->events_after("client-a", events[0].seq, 10).value().empty());
}
