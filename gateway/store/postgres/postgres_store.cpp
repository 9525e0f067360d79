#include "store/postgres/postgres_store.h"

#include <algorithm>
#include <chrono>
#include <type_traits>
#include <variant>

#include "store/postgres/pg_attendance.h"
#include "store/postgres/pg_audit.h"
#include "store/postgres/pg_case.h"
#include "store/postgres/pg_conflict.h"
#include "store/postgres/pg_connection.h"
#include "store/postgres/pg_consent.h"
#include "store/postgres/pg_event_feed.h"
#include "store/postgres/pg_json.h"
#include "store/postgres/pg_lease.h"
#include "store/postgres/pg_manual.h"
#include "store/postgres/pg_migrations.h"
#include "store/postgres/pg_outbox.h"
#include "store/postgres/pg_protected.h"
#include "store/postgres/pg_referral.h"
#include "store/postgres/pg_referral_deadline.h"
#include "store/postgres/pg_session.h"
#include "store/postgres/pg_sip.h"

namespace knutpunkt {
namespace {

// How long a caller waits for a free connection before the store reports itself unavailable.
constexpr std::chrono::seconds kPoolWait{10};

class PostgresStore final : public Store {
 public:
  explicit PostgresStore(const PostgresSettings& s) : pool_(s.connection, s.password, s.pool_size, kPoolWait) {}

  std::expected<void, StoreError> open() {
    auto lease = pool_.acquire();
    if (!lease) return std::unexpected(lease.error());
    return pg::migrate(**lease);
  }

  std::expected<void, StoreError> commit(const std::vector<AuditRecord>& records,
                                         const std::vector<StoreWrite>& writes) override {
    if (records.empty() && writes.empty()) return {};
    auto bodies = encode_bodies(records);
    if (!bodies) return std::unexpected(bodies.error());
    const auto entries = index_entries(records);
    return in_transaction([&](pg::Connection& c) -> std::expected<void, StoreError> {
      // Every commit takes the head's lock first, records or not. Commits are then serialised as
      // in SQLite, so the feed's seq and the outbox's position are taken in commit order: a
      // reader that has read up to seq n never finds a later commit below n. (And commit and
      // commit_sealed never wait on each other in opposite orders.)
      if (auto tip = pg::lock_chain_head(c); !tip) return std::unexpected(tip.error());
      return store_batch(c, records, *bodies, entries, writes);
    });
  }

  std::expected<void, StoreError> commit_sealed(std::vector<CommitEntry>& batch, const AuditSeal& seal) override {
    if (batch.empty()) return {};
    std::vector<AuditIndexEntry> entries;
    entries.reserve(batch.size());
    for (CommitEntry& e : batch) {
      if (e.canonical_body.empty()) {
        auto body = pg::encode_json(e.record.body);
        if (!body) return std::unexpected(body.error());
        e.canonical_body = std::move(*body);
      }
      entries.push_back(index_entry(e.record.kind, e.record.body));
    }
    return in_transaction([&](pg::Connection& c) -> std::expected<void, StoreError> {
      // The head row stays locked until COMMIT: another instance's commit waits here and then
      // reads the tip and the keys this batch leaves, so the chain never forks and the conflict
      // checks below cannot race.
      auto head = pg::lock_chain_head(c);
      if (!head) return std::unexpected(head.error());
      std::optional<AuditChainTip> tip = *head;
      // Every statement below is sent without waiting for its answer, except the few whose rows
      // decide what comes next: the lock is held for about one round trip per such read instead
      // of one per statement.
      pg::PipelineScope pipeline(c);
      if (auto begun = pipeline.begin(); !begun) return begun;
      auto conflicts = pg::conflicts(c, batch);
      if (!conflicts) return std::unexpected(conflicts.error());
      for (std::size_t i = 0; i < batch.size(); ++i) {
        CommitEntry& e = batch[i];
        e.refused.reset();
        // An attempt whose lease moved on (its instance was paused past it) is refused alone, so
        // what other requests committed in the same batch stands. Read after the entries before
        // it are written, since their lease claims may have moved the lease.
        auto lost = pg::lease_lost(c, e.writes);
        if (!lost) return std::unexpected(lost.error());
        if (*lost) {
          e.refused = StoreError{"lease_lost", "another instance holds the delivery lease of the key"};
          continue;
        }
        if (const char* conflict = (*conflicts)[i]) {
          e.refused = StoreError{"conflict", std::string(conflict) + " is stored already"};
          continue;
        }
        seal(e.record, tip);
        if (auto ok = pg::insert_audit_record(c, e.record, e.canonical_body, entries[i]); !ok) return ok;
        for (const StoreWrite& w : e.writes) {
          auto ok = std::visit([&](const auto& write) { return pg::apply(c, write); }, w);
          if (!ok) return ok;
        }
        tip = AuditChainTip{e.record.seq, e.record.hash};
      }
      if (tip && (!*head || tip->seq != (*head)->seq)) {
        if (auto moved = pg::move_chain_head(c, tip->seq, tip->hash); !moved) return moved;
      }
      return pipeline.end();
    });
  }

  std::expected<std::optional<AuditCheckpoint>, StoreError> latest_audit_checkpoint() override {
    return read([](pg::Connection& c) { return pg::latest_audit_checkpoint(c); });
  }

  std::expected<std::optional<AuditRecord>, StoreError> last_audit_record() override {
    return read([](pg::Connection& c) { return pg::last_audit_record(c); });
  }

  std::expected<void, StoreError> scan_audit(std::int64_t from_seq,
                                             const std::function<bool(const AuditRecord&)>& visit) override {
    for (;;) {
      // One page per statement; no connection is held while the visitor runs.
      auto page = read([&](pg::Connection& c) { return pg::audit_page(c, from_seq); });
      if (!page) return std::unexpected(page.error());
      for (const AuditRecord& r : *page) {
        if (!visit(r)) return {};
      }
      if (page->size() < static_cast<std::size_t>(pg::kScanPageRows)) return {};
      from_seq = page->back().seq + 1;
    }
  }

  std::expected<void, StoreError> read_stored_audit_page(std::int64_t from_seq, std::size_t max_rows,
                                                         StoredAuditPage& page) override {
    return read([&](pg::Connection& c) { return pg::stored_audit_page(c, from_seq, max_rows, page); });
  }

  std::expected<std::vector<IndexedAuditRecord>, StoreError> search_audit(const AuditQuery& q) override {
    return read([&](pg::Connection& c) -> std::expected<std::vector<IndexedAuditRecord>, StoreError> {
      auto window = pg::audit_seq_window(c, q);
      if (!window) return std::unexpected(window.error());
      if (window->empty) return std::vector<IndexedAuditRecord>{};
      return pg::audit_index_page(c, q, /*oldest_first=*/false, *window, std::clamp(q.limit, 1, pg::kMaxSearchLimit));
    });
  }

  std::expected<void, StoreError> scan_audit_index(
      const AuditQuery& q, bool oldest_first, const std::function<bool(const IndexedAuditRecord&)>& visit) override {
    auto w = read([&](pg::Connection& c) { return pg::audit_seq_window(c, q); });
    if (!w) return std::unexpected(w.error());
    pg::SeqWindow window = *w;
    if (window.empty) return {};
    for (;;) {
      auto page =
          read([&](pg::Connection& c) { return pg::audit_index_page(c, q, oldest_first, window, pg::kScanPageRows); });
      if (!page) return std::unexpected(page.error());
      for (const IndexedAuditRecord& r : *page) {
        if (!visit(r)) return {};
      }
      if (page->size() < static_cast<std::size_t>(pg::kScanPageRows)) return {};
      if (oldest_first)
        window.after = page->back().record.seq;
      else
        window.before = page->back().record.seq;
    }
  }

  std::expected<std::optional<std::pair<std::int64_t, std::int64_t>>, StoreError> audit_seq_range(
      const std::string& since, const std::string& until) override {
    return read([&](pg::Connection& c) { return pg::audit_seq_range(c, since, until); });
  }

  std::expected<void, StoreError> ping() override {
    return read([](pg::Connection& c) -> std::expected<void, StoreError> {
      auto r = c.query("SELECT 1", {}, "ping");
      if (!r) return std::unexpected(r.error());
      return {};
    });
  }

  std::expected<void, StoreError> scan_undelivered_messages(
      const std::function<bool(const OutboxMessage&)>& visit) override {
    std::int64_t after = 0;
    for (;;) {
      auto page = read([&](pg::Connection& c) { return pg::undelivered_page(c, after, pg::kScanPageRows); });
      if (!page) return std::unexpected(page.error());
      for (const OutboxMessage& m : *page) {
        if (!visit(m)) return {};
      }
      if (page->size() < static_cast<std::size_t>(pg::kScanPageRows)) return {};
      after = page->back().position;
    }
  }

  std::expected<std::optional<OutboxMessage>, StoreError> message(const std::string& id) override {
    return read([&](pg::Connection& c) { return pg::message(c, id); });
  }
  std::expected<std::vector<DeliveryAttempt>, StoreError> attempts(const std::string& message_id) override {
    return read([&](pg::Connection& c) { return pg::attempts(c, message_id); });
  }
  std::expected<std::vector<OutboxMessage>, StoreError> dead_letters(const DeadLetterQuery& q) override {
    return read([&](pg::Connection& c) { return pg::dead_letters(c, q); });
  }
  std::expected<std::vector<OutboxMessage>, StoreError> messages_by_ordering_key(const std::string& key) override {
    return read([&](pg::Connection& c) { return pg::messages_by_ordering_key(c, key); });
  }

  std::expected<std::optional<DeliveryLease>, StoreError> lease(const LaneKey& key) override {
    return read([&](pg::Connection& c) { return pg::lease(c, key); });
  }
  // The lease changes below are single statements that give the same answer when run twice
  // (a holder's own live lease keeps its token; renewing and releasing match on the token), so
  // one sent again on a fresh connection after the old one broke is safe, as a read is.
  std::expected<std::optional<std::int64_t>, StoreError> claim_lease(const LaneKey& key, const std::string& holder,
                                                                     std::int64_t now_ms,
                                                                     std::int64_t until_ms) override {
    return read([&](pg::Connection& c) { return pg::claim_lease(c, key, holder, now_ms, until_ms); });
  }
  std::expected<std::vector<LaneKey>, StoreError> renew_leases(const std::string& holder,
                                                               const std::vector<HeldLease>& leases,
                                                               std::int64_t until_ms) override {
    return read([&](pg::Connection& c) { return pg::renew_leases(c, holder, leases, until_ms); });
  }
  std::expected<void, StoreError> release_leases(const std::string& holder,
                                                 const std::vector<HeldLease>& leases) override {
    return read([&](pg::Connection& c) { return pg::release_leases(c, holder, leases); });
  }
  std::expected<std::vector<OutboxMessage>, StoreError> claimable_messages(const std::string& holder,
                                                                           std::int64_t now_ms, std::int64_t due_by_ms,
                                                                           std::int64_t after_position,
                                                                           int limit) override {
    return read(
        [&](pg::Connection& c) { return pg::claimable_messages(c, holder, now_ms, due_by_ms, after_position, limit); });
  }
  std::expected<std::vector<OutboxMessage>, StoreError> undelivered_messages(const LaneKey& key) override {
    return read([&](pg::Connection& c) { return pg::undelivered_messages(c, key); });
  }

  std::expected<std::vector<StoredEvent>, StoreError> events_after(const std::string& client_id, std::int64_t after_seq,
                                                                   int limit) override {
    return read([&](pg::Connection& c) { return pg::events_after(c, client_id, after_seq, limit); });
  }
  std::expected<std::optional<ReferralRecord>, StoreError> referral(const std::string& referral_id) override {
    return read([&](pg::Connection& c) { return pg::referral(c, referral_id); });
  }
  std::expected<std::vector<ReferralRecord>, StoreError> referrals_on_consent(const std::string& consent_id) override {
    return read([&](pg::Connection& c) { return pg::referrals_on_consent(c, consent_id); });
  }
  std::expected<std::vector<ReferralRecord>, StoreError> referrals_of_case(const std::string& client_id,
                                                                           const std::string& case_id) override {
    return read([&](pg::Connection& c) { return pg::referrals_of_case(c, client_id, case_id); });
  }
  std::expected<std::vector<ReferralRecord>, StoreError> referrals_with_status(const std::string& status,
                                                                               const std::string& after_referral_id,
                                                                               int limit) override {
    return read([&](pg::Connection& c) { return pg::referrals_with_status(c, status, after_referral_id, limit); });
  }
  std::expected<std::optional<IdempotencyRecord>, StoreError> idempotency(const std::string& client_id,
                                                                          const std::string& key) override {
    return read([&](pg::Connection& c) { return pg::idempotency(c, client_id, key); });
  }
  std::expected<bool, StoreError> inbound_seen(const std::string& partner, const std::string& id) override {
    return read([&](pg::Connection& c) { return pg::inbound_seen(c, partner, id); });
  }
  std::expected<std::optional<ConsentRecord>, StoreError> consent(const std::string& consent_id) override {
    return read([&](pg::Connection& c) { return pg::consent(c, consent_id); });
  }
  std::expected<std::vector<ConsentRecord>, StoreError> consents_for_person(const std::string& person_id) override {
    return read([&](pg::Connection& c) { return pg::consents_for_person(c, person_id); });
  }
  std::expected<std::optional<CaseRecord>, StoreError> case_file(const std::string& organisation,
                                                                 const std::string& case_id) override {
    return read([&](pg::Connection& c) { return pg::case_file(c, organisation, case_id); });
  }
  std::expected<std::vector<CaseRecord>, StoreError> open_cases_with_member(const std::string& person_id) override {
    return read([&](pg::Connection& c) { return pg::open_cases_with_member(c, person_id); });
  }
  std::expected<bool, StoreError> is_protected(const std::string& person_id) override {
    return read([&](pg::Connection& c) { return pg::is_protected(c, person_id); });
  }
  std::expected<std::vector<ManualItem>, StoreError> manual_items(const std::string& status,
                                                                  const std::string& after_created_at,
                                                                  const std::string& after_id, int limit) override {
    return read([&](pg::Connection& c) { return pg::manual_items(c, status, after_created_at, after_id, limit); });
  }
  std::expected<std::optional<ManualItem>, StoreError> manual_item(const std::string& item_id) override {
    return read([&](pg::Connection& c) { return pg::manual_item(c, item_id); });
  }
  std::expected<std::optional<SipPlanRecord>, StoreError> sip_plan(const std::string& plan_id) override {
    return read([&](pg::Connection& c) { return pg::sip_plan(c, plan_id); });
  }
  std::expected<std::optional<nlohmann::json>, StoreError> sip_plan_version(const std::string& plan_id,
                                                                            int version) override {
    return read([&](pg::Connection& c) { return pg::sip_plan_version(c, plan_id, version); });
  }
  std::expected<std::vector<SipPlanRecord>, StoreError> sip_plans_with_consent(const std::string& consent_id) override {
    return read([&](pg::Connection& c) { return pg::sip_plans_with_consent(c, consent_id); });
  }
  std::expected<std::vector<SipPlanRecord>, StoreError> open_sip_plans(const std::string& after_plan_id,
                                                                       int limit) override {
    return read([&](pg::Connection& c) { return pg::open_sip_plans(c, after_plan_id, limit); });
  }
  std::expected<bool, StoreError> sip_reminder_raised(const std::string& plan_id, const std::string& kind,
                                                      const std::string& key) override {
    return read([&](pg::Connection& c) { return pg::sip_reminder_raised(c, plan_id, kind, key); });
  }

  std::expected<std::vector<AttendanceDayRecord>, StoreError> attendance_days(const std::string& referral_id,
                                                                              const std::string& month) override {
    return read([&](pg::Connection& c) { return pg::attendance_days(c, referral_id, month); });
  }
  std::expected<std::optional<AttendanceMonthRecord>, StoreError> attendance_month(const std::string& referral_id,
                                                                                   const std::string& month) override {
    return read([&](pg::Connection& c) { return pg::attendance_month(c, referral_id, month); });
  }
  std::expected<std::vector<AttendanceMonthRecord>, StoreError> attendance_months_to_summarise(
      const std::string& through_month, const std::string& after_referral_id, const std::string& after_month,
      int limit) override {
    return read([&](pg::Connection& c) {
      return pg::attendance_months_to_summarise(c, through_month, after_referral_id, after_month, limit);
    });
  }
  std::expected<std::vector<AttendanceMonthRecord>, StoreError> attendance_months_of(
      const std::string& referral_id) override {
    return read([&](pg::Connection& c) { return pg::attendance_months_of(c, referral_id); });
  }
  std::expected<std::optional<AttendanceSummaryRecord>, StoreError> attendance_summary(
      const std::string& referral_id, const std::string& month) override {
    return read([&](pg::Connection& c) { return pg::attendance_summary(c, referral_id, month); });
  }
  std::expected<std::vector<ReferralReportRecord>, StoreError> referral_reports(
      const std::string& referral_id) override {
    return read([&](pg::Connection& c) { return pg::referral_reports(c, referral_id); });
  }
  std::expected<bool, StoreError> referral_reminder_raised(const std::string& referral_id, const std::string& kind,
                                                           const std::string& key) override {
    return read([&](pg::Connection& c) { return pg::referral_reminder_raised(c, referral_id, kind, key); });
  }

  std::expected<std::optional<SessionRecord>, StoreError> session(const std::string& token_hash) override {
    return read([&](pg::Connection& c) { return pg::session(c, token_hash); });
  }
  std::expected<void, StoreError> touch_session(const std::string& token_hash, std::int64_t used_at,
                                                std::int64_t unless_since) override {
    return once([&](pg::Connection& c) { return pg::touch_session(c, token_hash, used_at, unless_since); });
  }
  std::expected<bool, StoreError> remove_session(const std::string& token_hash) override {
    return once([&](pg::Connection& c) { return pg::remove_session(c, token_hash); });
  }
  std::expected<std::int64_t, StoreError> remove_expired_sessions(std::int64_t now, std::int64_t idle_since) override {
    return once([&](pg::Connection& c) { return pg::remove_expired_sessions(c, now, idle_since); });
  }
  std::expected<std::int64_t, StoreError> session_count() override {
    return read([&](pg::Connection& c) { return pg::session_count(c); });
  }
  std::expected<std::string, StoreError> sign_in_key() override {
    return read([&](pg::Connection& c) { return pg::sign_in_key(c); });
  }
  std::expected<SignInBudget, StoreError> take_sign_in_attempt(const std::string& scope, const std::string& key,
                                                               const std::string& remote_address, std::int64_t now,
                                                               std::int64_t window_passed) override {
    return once(
        [&](pg::Connection& c) { return pg::take_sign_in_attempt(c, scope, key, remote_address, now, window_passed); });
  }
  std::expected<void, StoreError> return_sign_in_attempt(const std::string& scope, const std::string& key,
                                                         std::int64_t window_start) override {
    return once([&](pg::Connection& c) { return pg::return_sign_in_attempt(c, scope, key, window_start); });
  }
  std::expected<std::optional<std::int64_t>, StoreError> lock_sign_in(const std::string& scope, const std::string& key,
                                                                      int limit, std::int64_t window) override {
    return once([&](pg::Connection& c) { return pg::lock_sign_in(c, scope, key, limit, window); });
  }
  std::expected<bool, StoreError> unlock_sign_in_below(const std::string& scope, const std::string& key,
                                                       int limit) override {
    return once([&](pg::Connection& c) { return pg::unlock_sign_in_below(c, scope, key, limit); });
  }
  std::expected<bool, StoreError> clear_sign_in(const std::string& scope, const std::string& key) override {
    return once([&](pg::Connection& c) { return pg::clear_sign_in(c, scope, key); });
  }
  std::expected<std::vector<SignInUnlock>, StoreError> sweep_sign_in(std::int64_t window_passed) override {
    return once([&](pg::Connection& c) { return pg::sweep_sign_in(c, window_passed); });
  }
  std::expected<std::int64_t, StoreError> sign_in_tracked() override {
    return read([&](pg::Connection& c) { return pg::sign_in_tracked(c); });
  }

 private:
  // Runs one statement that changes state, outside any transaction, exactly once: unlike a read
  // it is not run again on a fresh connection, since it may have reached the server (an attempt
  // counted twice, a lock lifted twice).
  template <typename Work>
  std::invoke_result_t<Work, pg::Connection&> once(Work&& work) {
    auto lease = pool_.acquire();
    if (!lease) return std::unexpected(lease.error());
    return work(**lease);
  }

  // Runs a read on a pooled connection. A connection that turns out broken (the server
  // restarted since it was last used) is replaced and the read runs once more: reads change
  // nothing, so running one again is safe.
  template <typename Work>
  std::invoke_result_t<Work, pg::Connection&> read(Work&& work) {
    for (int attempt = 0;; ++attempt) {
      auto lease = pool_.acquire();
      if (!lease) return std::unexpected(lease.error());
      auto result = work(**lease);
      if (result || !(*lease)->broken() || attempt > 0) return result;
    }
  }

  // Runs `work` in one transaction: committed when it succeeds, rolled back otherwise. Only a
  // BEGIN that failed on a broken connection is tried again on a fresh one (nothing of the
  // batch reached the server); a failure after that, COMMIT included, is reported as it is.
  template <typename Work>
  std::expected<void, StoreError> in_transaction(Work&& work) {
    for (int attempt = 0;; ++attempt) {
      auto lease = pool_.acquire();
      if (!lease) return std::unexpected(lease.error());
      pg::Transaction tx(**lease);
      if (auto began = tx.begin(); !began) {
        if (began.error().connection_lost && attempt == 0) continue;
        return std::unexpected(began.error().error);
      }
      if (auto ok = work(**lease); !ok) return ok;
      if (auto done = tx.commit(); !done) return std::unexpected(done.error().error);
      return {};
    }
  }

  static std::expected<std::vector<std::string>, StoreError> encode_bodies(const std::vector<AuditRecord>& records) {
    std::vector<std::string> bodies;
    bodies.reserve(records.size());
    for (const AuditRecord& r : records) {
      auto body = pg::encode_json(r.body);
      if (!body) return std::unexpected(body.error());
      bodies.push_back(std::move(*body));
    }
    return bodies;
  }

  static std::vector<AuditIndexEntry> index_entries(const std::vector<AuditRecord>& records) {
    std::vector<AuditIndexEntry> entries;
    entries.reserve(records.size());
    for (const AuditRecord& r : records) entries.push_back(index_entry(r.kind, r.body));
    return entries;
  }

  // Records first, then the writes in order, all inside the caller's transaction.
  static std::expected<void, StoreError> store_batch(pg::Connection& c, const std::vector<AuditRecord>& records,
                                                     const std::vector<std::string>& bodies,
                                                     const std::vector<AuditIndexEntry>& entries,
                                                     const std::vector<StoreWrite>& writes) {
    if (auto ok = pg::insert_audit_records(c, records, bodies, entries); !ok) return ok;
    for (const StoreWrite& w : writes) {
      auto ok = std::visit([&](const auto& write) { return pg::apply(c, write); }, w);
      if (!ok) return ok;
    }
    return {};
  }

  pg::Pool pool_;
};

}  // namespace

std::expected<std::unique_ptr<Store>, StoreError> open_postgres_store(const PostgresSettings& settings) {
  auto store = std::make_unique<PostgresStore>(settings);
  if (auto ok = store->open(); !ok) return std::unexpected(ok.error());
  return std::unique_ptr<Store>(std::move(store));
}

}  // namespace knutpunkt
