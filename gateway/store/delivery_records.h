#pragma once
// What the store keeps for durable delivery (outbox, attempts, dead letters), the case-event feed,
// referrals, idempotency keys and inbound receipts. Plain data: the store keeps fields as given.
#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "core/outbox_message.h"
#include "store/delivery_lease_store.h"

namespace knutpunkt {

std::string_view to_string(MessageStatus status);
std::optional<MessageStatus> parse_message_status(std::string_view text);

struct DeliveryAttempt {
  std::string message_id;
  int number = 0;
  std::int64_t started_at_ms = 0;
  std::string endpoint;  // URL without credentials
  int http_status = 0;   // 0 when no response arrived
  std::int64_t latency_ms = 0;
  std::string outcome;  // "delivered" | "retry" | "dead_lettered" | "final_error"
  std::string error;    // short classification, never the payload
};

struct StoredEvent {
  std::int64_t seq = 0;
  std::string event_id;
  std::string client_id;
  nlohmann::json envelope;
};

// A referral's status: active, or withdrawn (by its case system, or because its consent or its
// case ended).
inline constexpr const char* kReferralActive = "active";
inline constexpr const char* kReferralWithdrawn = "withdrawn";

struct ReferralRecord {
  std::string referral_id;
  std::string client_id;
  std::string case_id;
  std::string destination;
  std::string person_id;
  bool protected_identity = false;
  std::string created_at;
  nlohmann::json referral;  // the referral as normalised at the edge, with every change applied
  // "active", or "withdrawn" (by the case system, by the end of its consent or of its case):
  // nothing more is sent about a withdrawn referral and Jobbtorg's reports on it are not published.
  std::string status = kReferralActive;
  int version = 1;              // 1 as accepted; each change or withdrawal adds one
  std::string consent_id = {};  // the registry consent it rests on; empty for one accepted without
  std::string updated_at = {};  // empty until the first change
};

struct IdempotencyRecord {
  std::string client_id;
  std::string key;
  std::string request_hash;  // sha256 of method, path and body
  int http_status = 0;
  std::string response_body;
  std::string created_at;
};

// Writes that commit in the same transaction as an audit record (see AuditLog::append and
// store/store_writes.h).
namespace store_write {
// The accepting instance takes the message's key (destination, ordering key) in the acceptance
// transaction when the key is free, expired at `now_ms`, or already its own, so what it accepts
// it usually delivers with no extra commit. A key another instance holds stays with that one:
// the message is stored all the same.
struct LeaseClaim {
  std::string holder;
  std::int64_t now_ms = 0;
  std::int64_t until_ms = 0;
};
struct EnqueueMessage {
  OutboxMessage message;
  std::optional<LeaseClaim> lease = {};
};
// An attempt is recorded only while its key is still held by `holder` under `token` (and the
// lease is extended to `until_ms`); otherwise the whole commit fails with code "lease_lost".
struct LeaseFence {
  LaneKey key;
  std::string holder;
  std::int64_t token = 0;
  std::int64_t until_ms = 0;
};
struct RecordAttempt {
  DeliveryAttempt attempt;
  MessageStatus status = MessageStatus::pending;  // the message's status after this attempt
  std::int64_t next_attempt_at_ms = 0;
  std::string last_error;
  std::optional<LeaseFence> lease = {};
};
struct Replay {
  std::string message_id;
  std::int64_t at_ms = 0;  // becomes due now, with a fresh retry budget
};
struct AppendEvent {
  std::string event_id;
  std::string client_id;
  std::string case_id;
  std::string correlation_id;
  std::string type;
  nlohmann::json envelope;
};
struct PutReferral {
  ReferralRecord referral;
};
// The referral as changed (body, status, version and updated_at as they become). Its version
// must be new: two changes made from the same version do not both land.
struct ChangeReferral {
  ReferralRecord referral;
};
struct PutIdempotency {
  IdempotencyRecord record;
};
struct PutInboundReceipt {
  std::string partner;
  std::string partner_message_id;
  std::string referral_id;
  std::string received_at;
};
}  // namespace store_write

struct DeadLetterQuery {
  std::string destination = {};     // empty: all
  std::string type = {};            // message type, e.g. "referral.requested"; empty: all
  std::string client_id = {};       // the case system it belongs to; empty: all
  std::int64_t dead_since_ms = 0;   // dead-lettered at or after (0: no bound)
  std::int64_t dead_until_ms = 0;   // dead-lettered before (0: no bound)
  std::int64_t after_position = 0;  // cursor
  int limit = 100;
};

}  // namespace knutpunkt
