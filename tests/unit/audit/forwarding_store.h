#pragma once
// A Store that forwards every call to a real store, so a test double overrides only the call it
// wants to disturb (usually commit) and stays correct when the Store interface grows.
#include "store/store.h"

namespace audit_test {

class ForwardingStore : public knutpunkt::Store {
 public:
  explicit ForwardingStore(knutpunkt::Store& inner) : inner_(inner) {}

  std::expected<void, knutpunkt::StoreError> commit(const std::vector<knutpunkt::AuditRecord>& records,
                                                    const std::vector<knutpunkt::StoreWrite>& writes) override {
    return inner_.commit(records, writes);
  }
  std::expected<void, knutpunkt::StoreError> commit_sealed(std::vector<knutpunkt::CommitEntry>& entries,
                                                           const knutpunkt::AuditSeal& seal) override {
    return inner_.commit_sealed(entries, seal);
  }
  std::expected<std::optional<knutpunkt::AuditCheckpoint>, knutpunkt::StoreError> latest_audit_checkpoint() override {
    return inner_.latest_audit_checkpoint();
  }
  std::expected<std::optional<knutpunkt::AuditRecord>, knutpunkt::StoreError> last_audit_record() override {
    return inner_.last_audit_record();
  }
  std::expected<void, knutpunkt::StoreError> scan_audit(
      std::int64_t from, const std::function<bool(const knutpunkt::AuditRecord&)>& visit) override {
    return inner_.scan_audit(from, visit);
  }
  std::expected<void, knutpunkt::StoreError> read_stored_audit_page(std::int64_t from, std::size_t max_rows,
                                                                    knutpunkt::StoredAuditPage& page) override {
    return inner_.read_stored_audit_page(from, max_rows, page);
  }
  std::expected<std::vector<knutpunkt::IndexedAuditRecord>, knutpunkt::StoreError> search_audit(
      const knutpunkt::AuditQuery& q) override {
    return inner_.search_audit(q);
  }
  std::expected<void, knutpunkt::StoreError> scan_audit_index(
      const knutpunkt::AuditQuery& q, bool oldest_first,
      const std::function<bool(const knutpunkt::IndexedAuditRecord&)>& visit) override {
    return inner_.scan_audit_index(q, oldest_first, visit);
  }
  std::expected<std::optional<std::pair<std::int64_t, std::int64_t>>, knutpunkt::StoreError> audit_seq_range(
      const std::string& since, const std::string& until) override {
    return inner_.audit_seq_range(since, until);
  }
  std::expected<void, knutpunkt::StoreError> ping() override { return inner_.ping(); }
  std::expected<void, knutpunkt::StoreError> scan_undelivered_messages(
      const std::function<bool(const knutpunkt::OutboxMessage&)>& visit) override {
    return inner_.scan_undelivered_messages(visit);
  }
  std::expected<std::optional<knutpunkt::OutboxMessage>, knutpunkt::StoreError> message(
      const std::string& id) override {
    return inner_.message(id);
  }
  std::expected<std::vector<knutpunkt::DeliveryAttempt>, knutpunkt::StoreError> attempts(
      const std::string& message_id) override {
    return inner_.attempts(message_id);
  }
  std::expected<std::vector<knutpunkt::OutboxMessage>, knutpunkt::StoreError> dead_letters(
      const knutpunkt::DeadLetterQuery& query) override {
    return inner_.dead_letters(query);
  }
  std::expected<std::vector<knutpunkt::OutboxMessage>, knutpunkt::StoreError> messages_by_ordering_key(
      const std::string& ordering_key) override {
    return inner_.messages_by_ordering_key(ordering_key);
  }
  std::expected<std::optional<knutpunkt::DeliveryLease>, knutpunkt::StoreError> lease(
      const knutpunkt::LaneKey& key) override {
    return inner_.lease(key);
  }
  std::expected<std::optional<std::int64_t>, knutpunkt::StoreError> claim_lease(const knutpunkt::LaneKey& key,
                                                                                const std::string& holder,
                                                                                std::int64_t now_ms,
                                                                                std::int64_t until_ms) override {
    return inner_.claim_lease(key, holder, now_ms, until_ms);
  }
  std::expected<std::vector<knutpunkt::LaneKey>, knutpunkt::StoreError> renew_leases(
      const std::string& holder, const std::vector<knutpunkt::HeldLease>& leases, std::int64_t until_ms) override {
    return inner_.renew_leases(holder, leases, until_ms);
  }
  std::expected<void, knutpunkt::StoreError> release_leases(const std::string& holder,
                                                            const std::vector<knutpunkt::HeldLease>& leases) override {
    return inner_.release_leases(holder, leases);
  }
  std::expected<std::vector<knutpunkt::OutboxMessage>, knutpunkt::StoreError> claimable_messages(
      const std::string& holder, std::int64_t now_ms, std::int64_t due_by_ms, std::int64_t after_position,
      int limit) override {
    return inner_.claimable_messages(holder, now_ms, due_by_ms, after_position, limit);
  }
  std::expected<std::vector<knutpunkt::OutboxMessage>, knutpunkt::StoreError> undelivered_messages(
      const knutpunkt::LaneKey& key) override {
    return inner_.undelivered_messages(key);
  }
  std::expected<std::vector<knutpunkt::StoredEvent>, knutpunkt::StoreError> events_after(const std::string& client_id,
                                                                                         std::int64_t after_seq,
                                                                                         int limit) override {
    return inner_.events_after(client_id, after_seq, limit);
  }
  std::expected<std::optional<knutpunkt::ReferralRecord>, knutpunkt::StoreError> referral(
      const std::string& referral_id) override {
    return inner_.referral(referral_id);
  }
  std::expected<std::vector<knutpunkt::ReferralRecord>, knutpunkt::StoreError> referrals_on_consent(
      const std::string& consent_id) override {
    return inner_.referrals_on_consent(consent_id);
  }
  std::expected<std::vector<knutpunkt::ReferralRecord>, knutpunkt::StoreError> referrals_of_case(
      const std::string& client_id, const std::string& case_id) override {
    return inner_.referrals_of_case(client_id, case_id);
  }
  std::expected<std::vector<knutpunkt::ReferralRecord>, knutpunkt::StoreError> referrals_with_status(
      const std::string& status, const std::string& after_referral_id, int limit) override {
    return inner_.referrals_with_status(status, after_referral_id, limit);
  }
  std::expected<std::optional<knutpunkt::IdempotencyRecord>, knutpunkt::StoreError> idempotency(
      const std::string& client_id, const std::string& key) override {
    return inner_.idempotency(client_id, key);
  }
  std::expected<bool, knutpunkt::StoreError> inbound_seen(const std::string& partner,
                                                          const std::string& partner_message_id) override {
    return inner_.inbound_seen(partner, partner_message_id);
  }
  std::expected<std::optional<knutpunkt::ConsentRecord>, knutpunkt::StoreError> consent(
      const std::string& consent_id) override {
    return inner_.consent(consent_id);
  }
  std::expected<std::vector<knutpunkt::ConsentRecord>, knutpunkt::StoreError> consents_for_person(
      const std::string& person_id) override {
    return inner_.consents_for_person(person_id);
  }
  std::expected<std::optional<knutpunkt::CaseRecord>, knutpunkt::StoreError> case_file(
      const std::string& client_id, const std::string& case_id) override {
    return inner_.case_file(client_id, case_id);
  }
  std::expected<bool, knutpunkt::StoreError> is_protected(const std::string& person_id) override {
    return inner_.is_protected(person_id);
  }
  std::expected<std::optional<knutpunkt::SessionRecord>, knutpunkt::StoreError> session(
      const std::string& token_hash) override {
    return inner_.session(token_hash);
  }
  std::expected<void, knutpunkt::StoreError> touch_session(const std::string& token_hash, std::int64_t used_at,
                                                           std::int64_t unless_since) override {
    return inner_.touch_session(token_hash, used_at, unless_since);
  }
  std::expected<bool, knutpunkt::StoreError> remove_session(const std::string& token_hash) override {
    return inner_.remove_session(token_hash);
  }
  std::expected<std::int64_t, knutpunkt::StoreError> remove_expired_sessions(std::int64_t now,
                                                                             std::int64_t idle_since) override {
    return inner_.remove_expired_sessions(now, idle_since);
  }
  std::expected<std::int64_t, knutpunkt::StoreError> session_count() override { return inner_.session_count(); }
  std::expected<std::string, knutpunkt::StoreError> sign_in_key() override { return inner_.sign_in_key(); }
  std::expected<knutpunkt::SignInBudget, knutpunkt::StoreError> take_sign_in_attempt(
      const std::string& scope, const std::string& key, const std::string& remote_address, std::int64_t now,
      std::int64_t window_passed) override {
    return inner_.take_sign_in_attempt(scope, key, remote_address, now, window_passed);
  }
  std::expected<void, knutpunkt::StoreError> return_sign_in_attempt(const std::string& scope, const std::string& key,
                                                                    std::int64_t window_start) override {
    return inner_.return_sign_in_attempt(scope, key, window_start);
  }
  std::expected<std::optional<std::int64_t>, knutpunkt::StoreError> lock_sign_in(const std::string& scope,
                                                                                 const std::string& key, int limit,
                                                                                 std::int64_t window) override {
    return inner_.lock_sign_in(scope, key, limit, window);
  }
  std::expected<bool, knutpunkt::StoreError> unlock_sign_in_below(const std::string& scope, const std::string& key,
                                                                  int limit) override {
    return inner_.unlock_sign_in_below(scope, key, limit);
  }
  std::expected<bool, knutpunkt::StoreError> clear_sign_in(const std::string& scope, const std::string& key) override {
    return inner_.clear_sign_in(scope, key);
  }
  std::expected<std::vector<knutpunkt::SignInUnlock>, knutpunkt::StoreError> sweep_sign_in(
      std::int64_t window_passed) override {
    return inner_.sweep_sign_in(window_passed);
  }
  std::expected<std::int64_t, knutpunkt::StoreError> sign_in_tracked() override { return inner_.sign_in_tracked(); }
  std::expected<std::vector<knutpunkt::CaseRecord>, knutpunkt::StoreError> open_cases_with_member(
      const std::string& person_id) override {
    return inner_.open_cases_with_member(person_id);
  }
  std::expected<std::vector<knutpunkt::ManualItem>, knutpunkt::StoreError> manual_items(
      const std::string& status, const std::string& after_created_at, const std::string& after_id, int limit) override {
    return inner_.manual_items(status, after_created_at, after_id, limit);
  }
  std::expected<std::optional<knutpunkt::ManualItem>, knutpunkt::StoreError> manual_item(
      const std::string& item_id) override {
    return inner_.manual_item(item_id);
  }
  std::expected<std::optional<knutpunkt::SipPlanRecord>, knutpunkt::StoreError> sip_plan(
      const std::string& id) override {
    return inner_.sip_plan(id);
  }
  std::expected<std::optional<nlohmann::json>, knutpunkt::StoreError> sip_plan_version(const std::string& id,
                                                                                       int version) override {
    return inner_.sip_plan_version(id, version);
  }
  std::expected<std::vector<knutpunkt::SipPlanRecord>, knutpunkt::StoreError> sip_plans_with_consent(
      const std::string& consent_id) override {
    return inner_.sip_plans_with_consent(consent_id);
  }
  std::expected<std::vector<knutpunkt::SipPlanRecord>, knutpunkt::StoreError> open_sip_plans(const std::string& after,
                                                                                             int limit) override {
    return inner_.open_sip_plans(after, limit);
  }
  std::expected<bool, knutpunkt::StoreError> sip_reminder_raised(const std::string& plan_id, const std::string& kind,
                                                                 const std::string& key) override {
    return inner_.sip_reminder_raised(plan_id, kind, key);
  }
  std::expected<std::vector<knutpunkt::ReferralReportRecord>, knutpunkt::StoreError> referral_reports(
      const std::string& referral_id) override {
    return inner_.referral_reports(referral_id);
  }
  std::expected<bool, knutpunkt::StoreError> referral_reminder_raised(const std::string& referral_id,
                                                                      const std::string& kind,
                                                                      const std::string& key) override {
    return inner_.referral_reminder_raised(referral_id, kind, key);
  }
  std::expected<std::vector<knutpunkt::AttendanceDayRecord>, knutpunkt::StoreError> attendance_days(
      const std::string& referral_id, const std::string& month) override {
    return inner_.attendance_days(referral_id, month);
  }
  std::expected<std::optional<knutpunkt::AttendanceMonthRecord>, knutpunkt::StoreError> attendance_month(
      const std::string& referral_id, const std::string& month) override {
    return inner_.attendance_month(referral_id, month);
  }
  std::expected<std::vector<knutpunkt::AttendanceMonthRecord>, knutpunkt::StoreError> attendance_months_to_summarise(
      const std::string& through_month, const std::string& after_referral_id, const std::string& after_month,
      int limit) override {
    return inner_.attendance_months_to_summarise(through_month, after_referral_id, after_month, limit);
  }
  std::expected<std::vector<knutpunkt::AttendanceMonthRecord>, knutpunkt::StoreError> attendance_months_of(
      const std::string& referral_id) override {
    return inner_.attendance_months_of(referral_id);
  }
  std::expected<std::optional<knutpunkt::AttendanceSummaryRecord>, knutpunkt::StoreError> attendance_summary(
      const std::string& referral_id, const std::string& month) override {
    return inner_.attendance_summary(referral_id, month);
  }

 protected:
  knutpunkt::Store& inner_;
};

}  // namespace audit_test
