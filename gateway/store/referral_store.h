#pragma once
// Referrals, the idempotency keys that accepted them, and receipts of partners' messages.
#include <expected>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "store/delivery_records.h"
#include "store/store_error.h"

namespace knutpunkt {

class ReferralStore {
 public:
  virtual ~ReferralStore() = default;

  virtual std::expected<std::optional<ReferralRecord>, StoreError> referral(const std::string& referral_id) = 0;
  // The referrals resting on a consent, and a client's referrals in one case: what a consent's
  // withdrawal and a case's closing withdraw.
  virtual std::expected<std::vector<ReferralRecord>, StoreError> referrals_on_consent(
      const std::string& consent_id) = 0;
  virtual std::expected<std::vector<ReferralRecord>, StoreError> referrals_of_case(const std::string& client_id,
                                                                                   const std::string& case_id) = 0;
  // Referrals with `status` in id order, at most `limit`, after `after_referral_id` ("" = from
  // the start): a scan over the active referrals that never reads the withdrawn ones.
  virtual std::expected<std::vector<ReferralRecord>, StoreError> referrals_with_status(
      const std::string& status, const std::string& after_referral_id, int limit) = 0;
  virtual std::expected<std::optional<IdempotencyRecord>, StoreError> idempotency(const std::string& client_id,
                                                                                  const std::string& key) = 0;
  virtual std::expected<bool, StoreError> inbound_seen(const std::string& partner,
                                                       const std::string& partner_message_id) = 0;
};

}  // namespace knutpunkt
