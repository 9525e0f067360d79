#include "core/case_event.h"

#include <catch2/catch.hpp>

using namespace knutpunkt;

TEST_CASE("a case event serialises every envelope field the schema requires") {
  CaseEvent e;
  e.event_id = "e1";
  e.type = "partner.lookup.completed";
  e.occurred_at = "2026-10-25";
  e.received_at = "2026-11-24T13:05:09.007Z";
  e.source_partner = "ssbtek/FK";
  e.case_id = "EB-1";
  e.subject = {"191212121212", "personnummer"};
  e.correlation_id = "l1";
  e.causation_id = "m1";
  e.protected_identity = true;
  e.facts = {{"amount_ore", 123450}};
  const auto j = to_json(e);
  for (const char* key : {"event_id", "type", "schema_version", "occurred_at", "received_at", "source_partner", "case_id",
                          "subject", "correlation_id", "causation_id", "protected_identity", "facts"}) {
    INFO(key);
    CHECK(j.contains(key));
  }
  CHECK(j["schema_version"] == 1);
  CHECK(j["subject"]["person_id"] == "191212121212");
  CHECK(j["facts"]["amount_ore"] == 123450);
}
