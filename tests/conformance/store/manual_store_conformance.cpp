// ManualStore on every backend: the manual-handling queue, listed by status and resolved once.
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

TEST_CASE("manual items are listed by status in order, and resolved once") {
  STORE_BACKEND(backend);
  BackendStore store(backend);
  using knutpunkt::ManualItem;
  using knutpunkt::store_write::PutManualItem;
  ManualItem first;
  first.item_id = "item-1";
  first.kind = "referral";
  first.reference = "ref-1";
  first.client_id = "a";
  first.case_id = "EB-1";
  first.destination = "jobbtorg";
  first.reason = "protected_identity";
  first.created_at = "2026-11-01T10:00:00.000Z";
  ManualItem second = first;
  second.item_id = "item-2";
  second.reference = "ref-2";
  second.created_at = "2026-11-01T11:00:00.000Z";
  REQUIRE(store->commit({}, {PutManualItem{second}, PutManualItem{first}}).has_value());

  auto open = store->manual_items("open", "", "", 10);
  REQUIRE(open.has_value());
  REQUIRE(open->size() == 2);
  CHECK((*open)[0].item_id == "item-1");
  auto page = store->manual_items("open", (*open)[0].created_at, (*open)[0].item_id, 10);
  REQUIRE(page->size() == 1);
  CHECK((*page)[0].item_id == "item-2");

  using knutpunkt::store_write::ResolveManualItem;
  REQUIRE(store->commit({}, {ResolveManualItem{"item-1", "2026-11-02T09:00:00.000Z", "operator", "ringde Jobbtorg"}})
              .has_value());
  REQUIRE(store->commit({}, {ResolveManualItem{"item-1", "2026-11-03T09:00:00.000Z", "someone-else", "again"}})
              .has_value());
  auto resolved = store->manual_item("item-1");
  REQUIRE(resolved.has_value());
  REQUIRE(resolved->has_value());
  CHECK((*resolved)->status == "resolved");
  CHECK((*resolved)->resolved_by == "operator");
  CHECK((*resolved)->resolved_at == "2026-11-02T09:00:00.000Z");
  CHECK(store->manual_items("open", "", "", 10)->size() == 1);
  CHECK(store->manual_items("", "", "", 10)->size() == 2);
}

TEST_CASE("a manual item reads back field for field, open and then resolved with the operator's note") {
  STORE_BACKEND(backend);
  BackendStore store(backend);
  ManualItem item;
  item.item_id = "item-9";
  item.kind = "referral";
  item.reference = "R-9";
  item.client_id = "client-a";
  item.case_id = "EB-9";
  item.destination = "jobbtorg-sodra";
  item.reason = "protected_identity";
  item.created_at = "2026-11-01T10:00:00.000Z";
  commit_ok(*store, {}, {store_write::PutManualItem{item}});
  const auto open = store->manual_item("item-9").value();
  REQUIRE(open.has_value());
  CHECK(open->item_id == "item-9");
  CHECK(open->kind == "referral");
  CHECK(open->reference == "R-9");
  CHECK(open->client_id == "client-a");
  CHECK(open->case_id == "EB-9");
  CHECK(open->destination == "jobbtorg-sodra");
  CHECK(open->reason == "protected_identity");
  CHECK(open->created_at == "2026-11-01T10:00:00.000Z");
  CHECK(open->status == "open");
  CHECK(open->resolved_at.empty());
  CHECK(open->resolved_by.empty());
  CHECK(open->note.empty());

  commit_ok(*store, {},
            {store_write::ResolveManualItem{"item-9", "2026-11-02T09:00:00.000Z", "operator-7",
                                            "Ringde handläggaren; remissen skickad med post."}});
  const auto resolved = store->manual_items("resolved", "", "", 10).value();
  REQUIRE(resolved.size() == 1);
  CHECK(resolved[0].item_id == "item-9");
  CHECK(resolved[0].status == "resolved");
  CHECK(resolved[0].resolved_at == "2026-11-02T09:00:00.000Z");
  CHECK(resolved[0].resolved_by == "operator-7");
  CHECK(resolved[0].note == "Ringde handläggaren; remissen skickad med post.");
  CHECK(resolved[0].reference == "R-9");
  CHECK(resolved[0].created_at == "2026-11-01T10:00:00.000Z");
  CHECK_FALSE(store->manual_item("item-10").value().has_value());
}
