#pragma once
// The consent registry: consents case systems record (given by the client's signature, kept as a
// document reference), read and withdraw. The rules of a consent's life are here, not at the HTTP
// edge: when one is in force, that a withdrawal is final and can be asked for again without harm,
// that a consent belongs to the organisation of the client that recorded it, and that no client of
// another organisation sees, withdraws or relies on it.
//
// A withdrawal may have to do more than mark the consent: a SIP consent stops the plans resting
// on it. Whoever owns such a partner registers a withdrawal handler for it; the registry knows no
// partner by name.
#include <chrono>
#include <expected>
#include <functional>
#include <map>
#include <string>
#include <variant>
#include <vector>

#include "audit/audit_log.h"
#include "audit/audited_write.h"
#include "store/store.h"

namespace knutpunkt::consent {

// "in_force" | "withdrawn" | "expired" | "not_yet_valid" at `now`.
std::string state_at(const ConsentRecord& c, std::chrono::system_clock::time_point now);
// A consent as clients and auditors see it.
nlohmann::json to_json(const ConsentRecord& c, std::chrono::system_clock::time_point now);

// How a consent's record and writes are committed: the gateway's commit path, which schedules
// whatever the writes enqueue.
using Commit = std::function<void(AuditedWrite, AuditLog::OnDurable)>;
// Commits the withdrawal of a consent for a partner that needs more than the default: `write`
// is the withdrawal itself, to which the handler adds its own writes and record fields.
using WithdrawalHandler = std::function<void(const ConsentRecord& consent, const std::string& withdrawn_by,
                                             AuditedWrite write, AuditLog::OnDurable done)>;

struct NotFound {};  // no such consent in this organisation: another organisation's is not disclosed
struct AlreadyWithdrawn {
  ConsentRecord consent;
};
struct Withdrawal {
  ConsentRecord consent;  // as it will be stored
  AuditedWrite write;
};
using WithdrawalPlan = std::variant<NotFound, AlreadyWithdrawn, Withdrawal>;

class ConsentRegistry {
 public:
  ConsentRegistry(Store& store, Commit commit) : store_(store), commit_(std::move(commit)) {}

  // Registered while the gateway is wired, before it serves.
  void on_withdrawal(std::string partner, WithdrawalHandler handler);

  // A new consent: its id and recording time assigned, and the consent.recorded record.
  std::pair<ConsentRecord, AuditedWrite> prepare_record(ConsentRecord consent,
                                                        std::chrono::system_clock::time_point now) const;

  // `client_id` withdraws it for its `organisation`.
  std::expected<WithdrawalPlan, StoreError> prepare_withdrawal(const std::string& client_id,
                                                               const std::string& organisation,
                                                               const std::string& consent_id,
                                                               std::chrono::system_clock::time_point now) const;
  // Through the partner's handler when it has one, otherwise the commit path.
  void commit_withdrawal(Withdrawal withdrawal, const std::string& withdrawn_by, AuditLog::OnDurable done) const;

  // The consents `organisation`'s clients recorded about `person_id`.
  std::expected<std::vector<ConsentRecord>, StoreError> recorded_by(const std::string& organisation,
                                                                    const std::string& person_id) const;

 private:
  Store& store_;
  Commit commit_;
  std::map<std::string, WithdrawalHandler> withdrawal_handlers_;
};

}  // namespace knutpunkt::consent
