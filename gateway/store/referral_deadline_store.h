#pragma once
// What the referral time limits read about a referral: what arrived about it, and which limits
// were raised already (which referrals are still running: ReferralStore::referrals_with_status).
#include <expected>
#include <string>
#include <vector>

#include "store/referral_deadline_records.h"
#include "store/store_error.h"

namespace knutpunkt {

class ReferralDeadlineStore {
 public:
  virtual ~ReferralDeadlineStore() = default;

  // The reports that arrived about the referral, in arrival order.
  virtual std::expected<std::vector<ReferralReportRecord>, StoreError> referral_reports(
      const std::string& referral_id) = 0;
  // Whether the limit (referral_id, kind, key) was raised already.
  virtual std::expected<bool, StoreError> referral_reminder_raised(const std::string& referral_id,
                                                                   const std::string& kind, const std::string& key) = 0;
};

}  // namespace knutpunkt
