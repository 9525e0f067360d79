#pragma once
// The outbox message: what knutpunkt has accepted and owes a destination. The delivery engine
// sends it, the store keeps its fields as given (store/delivery_records.h).
#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>

namespace knutpunkt {

// withheld: the gateway decided the message must not be sent after all (the consent it was sent
// under was withdrawn). Terminal like delivered: never retried, never replayed, not a dead letter.
enum class MessageStatus { pending, delivered, dead, withheld };

struct OutboxMessage {
  std::string id;            // UUID; sent as Idempotency-Key so the receiver can drop repeats
  std::string destination;   // a configured adapter or webhook name
  std::string type;          // "referral.requested" or a case event type
  std::string ordering_key;  // e.g. the referral id: same key and destination are delivered in order
  std::string client_id;     // the case system on whose behalf it exists
  std::string case_id;
  nlohmann::json payload;  // the internal message; the destination's adapter renders the wire form
  MessageStatus status = MessageStatus::pending;
  int attempts = 0;        // every attempt ever made
  int cycle_attempts = 0;  // attempts since acceptance or the last replay (the retry budget)
  std::int64_t created_at_ms = 0;
  std::int64_t cycle_started_at_ms = 0;  // acceptance or last replay: the retry budget's age
  std::int64_t next_attempt_at_ms = 0;
  std::int64_t delivered_at_ms = 0;
  std::int64_t dead_at_ms = 0;
  std::string last_error;
  std::int64_t position = 0;  // store-assigned, increasing in acceptance order
};

// What a caller decides about a new message; new_outbox_message sets the rest.
struct NewOutboxMessage {
  std::string destination = {};
  std::string type = {};
  std::string ordering_key = {};
  std::string client_id = {};
  std::string case_id = {};
  nlohmann::json payload = {};
};

// A pending message with a fresh id, accepted and due at `at_ms`. Pass the wall clock (now_ms()),
// also where a service runs on an injected clock: the delivery engine schedules by the wall clock.
OutboxMessage new_outbox_message(NewOutboxMessage message, std::int64_t at_ms);

}  // namespace knutpunkt
