#include "routing/event_publisher.h"

#include <catch2/catch.hpp>
#include <chrono>
#include <set>

using namespace knutpunkt;
using namespace knutpunkt::routing;

namespace {

CaseEvent sample_event(const std::string& type = "referral.sent") {
  CaseEvent e;
  e.event_id = "0b7a9e58-3c0e-4f3a-9d7e-1f5a2b3c4d5e";
  e.type = type;
  e.occurred_at = "2026-11-24T10:00:00Z";
  e.received_at = "2026-11-24T10:00:01.000Z";
  e.source_partner = "jobbtorg-sodra";
  e.case_id = "EB-2026-1";
  e.subject = {"191212121212", "personnummer"};
  e.correlation_id = "corr-9";
  e.facts = {{"referral_id", "R-1"}};
  return e;
}

std::vector<store_write::EnqueueMessage> enqueued(const std::vector<StoreWrite>& writes) {
  std::vector<store_write::EnqueueMessage> out;
  for (const auto& w : writes) {
    if (const auto* e = std::get_if<store_write::EnqueueMessage>(&w)) out.push_back(*e);
  }
  return out;
}

std::vector<store_write::AppendEvent> feed(const std::vector<StoreWrite>& writes) {
  std::vector<store_write::AppendEvent> out;
  for (const auto& w : writes) {
    if (const auto* e = std::get_if<store_write::AppendEvent>(&w)) out.push_back(*e);
  }
  return out;
}

// Routes every event to both clients' webhooks and to a partner adapter.
const RouteTable kEverywhere({RouteRule{"all", {}, {}, {}, {}, {}, {"hook-a", "hook-b", "jobbtorg-sodra"}}});
const std::map<std::string, std::string> kWebhooks{{"hook-a", "client-a"}, {"hook-b", "client-b"}};

}  // namespace

TEST_CASE("an event always goes into its own client's feed, with the envelope, case and correlation") {
  const RouteTable none;
  const EventPublisher publisher(none, kWebhooks);
  const auto event = sample_event();
  const auto writes = publisher.publish(event, "client-a", RouteKey{}, "R-1");
  REQUIRE(writes.size() == 1);
  const auto rows = feed(writes);
  REQUIRE(rows.size() == 1);
  CHECK(rows[0].event_id == event.event_id);
  CHECK(rows[0].client_id == "client-a");
  CHECK(rows[0].case_id == "EB-2026-1");
  CHECK(rows[0].correlation_id == "corr-9");
  CHECK(rows[0].type == "referral.sent");
  CHECK(rows[0].envelope == to_json(event));
}

TEST_CASE("a webhook receives only events of the client it belongs to, whatever the routes say") {
  const EventPublisher publisher(kEverywhere, kWebhooks);
  const auto event = sample_event();
  const auto writes = publisher.publish(event, "client-a", RouteKey{}, "R-1");
  CHECK(feed(writes).size() == 1);
  const auto messages = enqueued(writes);
  REQUIRE(messages.size() == 1);
  const OutboxMessage& m = messages[0].message;
  CHECK(m.destination == "hook-a");
  CHECK(m.client_id == "client-a");
  CHECK(m.type == "referral.sent");
  CHECK(m.ordering_key == "R-1");
  CHECK(m.case_id == "EB-2026-1");
  CHECK(m.payload == to_json(event));
  CHECK(m.status == MessageStatus::pending);
  CHECK_FALSE(m.id.empty());
  const auto now = std::chrono::duration_cast<std::chrono::milliseconds>(
                       std::chrono::system_clock::now().time_since_epoch())
                       .count();
  CHECK(m.created_at_ms <= now);
  CHECK(m.created_at_ms > now - 60000);
  CHECK(m.next_attempt_at_ms == m.created_at_ms);

  const auto for_b = enqueued(publisher.publish(event, "client-b", RouteKey{}, "R-1"));
  REQUIRE(for_b.size() == 1);
  CHECK(for_b[0].message.destination == "hook-b");

  // A client with no webhook gets the feed only; partner adapters are never a publisher's target.
  const auto for_c = publisher.publish(event, "client-c", RouteKey{}, "R-1");
  CHECK(enqueued(for_c).empty());
  REQUIRE(feed(for_c).size() == 1);
  CHECK(feed(for_c)[0].client_id == "client-c");
}

TEST_CASE("routes select webhooks by the event's own type and client, not by what the caller passes") {
  const RouteTable table({RouteRule{"sent", {"referral.sent"}, {"client-a"}, {}, {}, {"Enskede"}, {"hook-a"}}});
  const EventPublisher publisher(table, kWebhooks);
  RouteKey where;
  where.type = "something.else";  // overridden by the event's type
  where.client_id = "client-b";   // overridden by the client published for
  where.district = "Enskede";
  CHECK(enqueued(publisher.publish(sample_event("referral.sent"), "client-a", where, "R-1")).size() == 1);
  CHECK(enqueued(publisher.publish(sample_event("referral.attendance"), "client-a", where, "R-1")).empty());
  where.district = "Kista";
  CHECK(enqueued(publisher.publish(sample_event("referral.sent"), "client-a", where, "R-1")).empty());
}

TEST_CASE("each published webhook message gets a fresh id") {
  const RouteTable table({RouteRule{"all", {}, {}, {}, {}, {}, {"hook-a"}}});
  const EventPublisher publisher(table, kWebhooks);
  std::set<std::string> ids;
  for (int i = 0; i < 20; ++i) {
    const auto messages = enqueued(publisher.publish(sample_event(), "client-a", RouteKey{}, "R-1"));
    REQUIRE(messages.size() == 1);
    ids.insert(messages[0].message.id);
  }
  CHECK(ids.size() == 20);
}

TEST_CASE("feed_only writes the feed row and nothing else") {
  const auto event = sample_event();
  const StoreWrite w = EventPublisher::feed_only(event, "client-b");
  const auto* row = std::get_if<store_write::AppendEvent>(&w);
  REQUIRE(row != nullptr);
  CHECK(row->client_id == "client-b");
  CHECK(row->event_id == event.event_id);
  CHECK(row->envelope == to_json(event));
}
