#pragma once
#include <cstdint>
#include <expected>
#include <functional>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "store/audit_index_entry.h"
#include "store/store_writes.h"

namespace knutpunkt {

// A storage failure. `message` describes the failure, never the data (no personal data).
struct StoreError {
  std::string code;  // e.g. "sqlite_error", "busy", "schema_too_new", "stopped"
  std::string message;
};

// One entry of the tamper-evident audit log. The hash chain is computed by audit/audit_chain.h;
// the store keeps the fields as given and never recomputes them.
struct AuditRecord {
  std::int64_t seq = 0;
  std::string recorded_at;  // UTC RFC 3339 with milliseconds
  std::string kind;         // e.g. "lookup"
  // Stored as canonical JSON text. A stored body that no longer parses as JSON (someone edited
  // the database) is read back as a `discarded` value rather than failing the read, so that the
  // verifier can name the record instead of stopping.
  nlohmann::json body;
  std::string prev_hash;
  std::string hash;
};

// A search of the audit index. Every non-empty field must match; all combine.
struct AuditQuery {
  std::string person_id;  // 12 digits: records about the person (audit_person)
  std::string case_id, caseworker, client, partner, operation, outcome, kind;  // exact matches
  std::string since, until;  // recorded_at bounds, RFC 3339 UTC as stored: since inclusive, until exclusive
  std::int64_t before_seq = 0;  // cursor: only records with seq < before_seq; 0 = from the newest
  int limit = 50;               // search_audit: at most this many (clamped to 1..10000); scans ignore it
};

// An audit record with what it is indexed by.
struct IndexedAuditRecord {
  AuditRecord record;
  AuditIndexEntry index;
};

// Persistence the core depends on. Implementations: sqlite/ (now), postgres/ (later).
class Store {
 public:
  virtual ~Store() = default;

  // Atomic: all records and writes of the batch are stored or none are. Durable when it returns
  // success (survives a crash of the process or of the machine). Writes are applied in order,
  // after the records. This is how an acceptance and its audit record become durable together.
  virtual std::expected<void, StoreError> commit(const std::vector<AuditRecord>& records,
                                                 const std::vector<StoreWrite>& writes) = 0;

  std::expected<void, StoreError> append_audit(const std::vector<AuditRecord>& batch) { return commit(batch, {}); }

  // The newest retention checkpoint (records up to its through_seq were removed), or nullopt.
  virtual std::expected<std::optional<AuditCheckpoint>, StoreError> latest_audit_checkpoint() = 0;

  // The record with the highest seq, or nullopt for an empty log.
  virtual std::expected<std::optional<AuditRecord>, StoreError> last_audit_record() = 0;

  // Visits records in seq order starting at from_seq; the visitor returns false to stop.
  // Implementations may read in pages and must not hold locks while calling the visitor, so a
  // long verification does not stall the writer.
  virtual std::expected<void, StoreError> scan_audit(std::int64_t from_seq,
                                                     const std::function<bool(const AuditRecord&)>& visit) = 0;

  // --- Audit index (the auditors' search; written by commit with the records) ---

  // Records matching `q`, newest first (seq descending), at most q.limit. For the next page pass
  // the last seq returned as before_seq; ask for limit + 1 to learn whether there is more.
  virtual std::expected<std::vector<IndexedAuditRecord>, StoreError> search_audit(const AuditQuery& q) = 0;

  // Every record matching `q` (limit ignored; before_seq still bounds), oldest or newest first,
  // read in pages with no lock held while `visit` runs; the visitor returns false to stop.
  // For timelines and log checks over a period.
  virtual std::expected<void, StoreError> scan_audit_index(const AuditQuery& q, bool oldest_first,
                                                           const std::function<bool(const IndexedAuditRecord&)>& visit) = 0;

  // The lowest and highest seq of the records with since <= recorded_at < until ("" = open
  // bound), or nullopt when there are none. For exports by time.
  virtual std::expected<std::optional<std::pair<std::int64_t, std::int64_t>>, StoreError> audit_seq_range(
      const std::string& since, const std::string& until) = 0;

  // Readiness: the store answers a trivial query.
  virtual std::expected<void, StoreError> ping() = 0;

  // --- Delivery (reads; writes go through commit) ---

  // Pending and dead messages in acceptance order (payload left null), for the delivery
  // engine's start: dead letters hold back later messages with the same ordering key.
  virtual std::expected<void, StoreError> scan_undelivered_messages(
      const std::function<bool(const OutboxMessage&)>& visit) = 0;
  virtual std::expected<std::optional<OutboxMessage>, StoreError> message(const std::string& id) = 0;
  virtual std::expected<std::vector<DeliveryAttempt>, StoreError> attempts(const std::string& message_id) = 0;
  virtual std::expected<std::vector<OutboxMessage>, StoreError> dead_letters(const DeadLetterQuery& query) = 0;
  virtual std::expected<std::vector<OutboxMessage>, StoreError> messages_by_ordering_key(
      const std::string& ordering_key) = 0;

  // --- Case-event feed ---

  // Events of one client with seq > after_seq, in seq order (the pull feed's stable order).
  virtual std::expected<std::vector<StoredEvent>, StoreError> events_after(const std::string& client_id,
                                                                           std::int64_t after_seq, int limit) = 0;

  // --- Referrals, idempotency keys, inbound receipts ---

  virtual std::expected<std::optional<ReferralRecord>, StoreError> referral(const std::string& referral_id) = 0;
  virtual std::expected<std::optional<IdempotencyRecord>, StoreError> idempotency(const std::string& client_id,
                                                                                  const std::string& key) = 0;
  virtual std::expected<bool, StoreError> inbound_seen(const std::string& partner,
                                                       const std::string& partner_message_id) = 0;

  // --- Consents ---

  virtual std::expected<std::optional<ConsentRecord>, StoreError> consent(const std::string& consent_id) = 0;
  // Every consent recorded for the person, newest first, withdrawn and expired ones included.
  virtual std::expected<std::vector<ConsentRecord>, StoreError> consents_for_person(const std::string& person_id) = 0;

  // --- Cases ---

  // The organisation's case; none for the empty organisation.
  virtual std::expected<std::optional<CaseRecord>, StoreError> case_file(const std::string& organisation,
                                                                         const std::string& case_id) = 0;
  // Every open case, of any client, whose household includes the person: where a partner's news
  // about that person belongs.
  virtual std::expected<std::vector<CaseRecord>, StoreError> open_cases_with_member(const std::string& person_id) = 0;

  // --- Protected identity ---

  // Whether any partner has ever flagged the person as protected.
  virtual std::expected<bool, StoreError> is_protected(const std::string& person_id) = 0;

  // --- Manual handling ---

  // Items with `status` ("open", "resolved", or "" for all), oldest first, after item `after_id`
  // in that order (cursor; "" = from the start).
  virtual std::expected<std::vector<ManualItem>, StoreError> manual_items(const std::string& status,
                                                                          const std::string& after_created_at,
                                                                          const std::string& after_id, int limit) = 0;
  virtual std::expected<std::optional<ManualItem>, StoreError> manual_item(const std::string& item_id) = 0;

  // --- SIP plans ---

  // The current version of the plan, or nullopt.
  virtual std::expected<std::optional<SipPlanRecord>, StoreError> sip_plan(const std::string& plan_id) = 0;
  // The plan document as stored at `version`, or nullopt when that version was never stored.
  virtual std::expected<std::optional<nlohmann::json>, StoreError> sip_plan_version(const std::string& plan_id,
                                                                                    int version) = 0;
  // Every plan, closed ones included, recorded under the consent: what a withdrawal affects.
  virtual std::expected<std::vector<SipPlanRecord>, StoreError> sip_plans_with_consent(
      const std::string& consent_id) = 0;
  // Every plan not closed, of any client, oldest initiated first (ties by plan_id), at most
  // `limit`, after plan `after_plan_id` in that order ("" = from the start): the reminder scan.
  virtual std::expected<std::vector<SipPlanRecord>, StoreError> open_sip_plans(const std::string& after_plan_id,
                                                                               int limit) = 0;
  // Whether the reminder (plan_id, kind, key) was raised already.
  virtual std::expected<bool, StoreError> sip_reminder_raised(const std::string& plan_id, const std::string& kind,
                                                              const std::string& key) = 0;
};

}  // namespace knutpunkt
