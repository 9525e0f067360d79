#pragma once
// A referral after acceptance: changed, withdrawn, or given a decision by the case system that
// sent it; withdrawn when its consent is withdrawn or its case closed. Each goes to Jobbtorg
// through the outbox behind the referral itself (same ordering key), in the same transaction as
// its audit record and the referral's new version. A withdrawn referral's queued messages are
// withheld at their last moment, the referral itself included; only the withdrawal goes, with no
// content, since whether an earlier attempt reached Jobbtorg cannot always be known.
#include <chrono>
#include <expected>
#include <optional>
#include <string>
#include <vector>

#include "audit/audited_write.h"
#include "core/failure.h"
#include "delivery/delivery_engine.h"
#include "referral/referral_lifecycle.h"
#include "routing/event_publisher.h"
#include "store/store.h"

namespace knutpunkt {

struct PreparedReferralChange {
  ReferralRecord referral;  // as it becomes (or is, when unchanged)
  std::string message_id;   // what goes to Jobbtorg; empty when nothing does
  bool unchanged = false;   // nothing to commit: the same change, or a repeated withdrawal
  AuditedWrite write;
};

// A ReferralChanges Failure's code: "not_found" (none, or another client's), "referral_withdrawn",
// "store_unavailable".
class ReferralChanges {
 public:
  using Clock = std::function<std::chrono::system_clock::time_point()>;

  ReferralChanges(delivery::DeliveryEngine& engine, Store& store, const routing::EventPublisher& publisher,
                  Clock clock);

  std::expected<PreparedReferralChange, Failure> prepare_change(const std::string& client_id,
                                                                const std::string& referral_id,
                                                                const ReferralChange& change) const;
  std::expected<PreparedReferralChange, Failure> prepare_withdrawal(const std::string& client_id,
                                                                    const std::string& referral_id,
                                                                    const std::string& reason) const;
  std::expected<PreparedReferralChange, Failure> prepare_decision(const std::string& client_id,
                                                                  const std::string& referral_id,
                                                                  const ReferralDecision& decision) const;
  std::expected<PreparedReferralChange, Failure> prepare_assessment(const std::string& client_id,
                                                                    const std::string& referral_id,
                                                                    const ReferralAssessment& assessment) const;

  // The writes withdrawing every active referral of `referrals` for `reason`, added to `write`
  // (its record lists them under "referrals_withdrawn"). For a consent's withdrawal and a case's
  // closing, which commit them with their own record.
  void withdraw_all(const std::vector<ReferralRecord>& referrals, const std::string& reason, const std::string& cause,
                    AuditedWrite& write) const;
  // A case's closing: the active referrals `client_id` sent in it are withdrawn in `write`.
  std::expected<void, StoreError> withdraw_case(const std::string& client_id, const std::string& case_id,
                                                AuditedWrite& write) const;
  // A consent's withdrawal: the referrals resting on it are withdrawn in the same transaction.
  void withdraw_on_consent(const ConsentRecord& consent, AuditedWrite write, AuditLog::OnDurable done) const;

  // Commits through the delivery engine, so what the writes enqueue is scheduled once durable.
  void commit(AuditedWrite write, AuditLog::OnDurable done) const;

  // Release checks for every message about a referral, the referral's own included.
  void register_with(delivery::DeliveryEngine& engine) const;
  std::optional<std::string> release_check(const OutboxMessage& message) const;

 private:
  // The client's referral, whatever its status (each change judges that itself); "not_found" for
  // another client's.
  std::expected<ReferralRecord, Failure> own_referral(const std::string& client_id,
                                                      const std::string& referral_id) const;
  // The ChangeReferral, the message to Jobbtorg (unless the referral never went to the outbox)
  // and the case event of a withdrawal; `entry` gets what the audit record says of it.
  std::vector<StoreWrite> withdrawal_writes(const ReferralRecord& current, const std::string& reason,
                                            const std::string& cause, nlohmann::json& entry) const;
  OutboxMessage message_to_jobbtorg(const ReferralRecord& referral, const char* type, nlohmann::json payload) const;

  delivery::DeliveryEngine& engine_;
  Store& store_;
  const routing::EventPublisher& publisher_;
  Clock clock_;
};

}  // namespace knutpunkt
