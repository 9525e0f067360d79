#pragma once
// What the referral time limits read: the referrals to look at, what arrived about each, and
// which limits were raised already.
#include <expected>
#include <string>
#include <vector>

#include "store/referral_deadline_records.h"
#include "store/store_error.h"

namespace knutpunkt {

class ReferralDeadlineStore {
 public:
  virtual ~ReferralDeadlineStore() = default;

  // Referral ids in id order, at most `limit`, after `after_referral_id` ("" = from the start):
  // the time limits' scan.
  virtual std::expected<std::vector<std::string>, StoreError> referral_ids_after(const std::string& after_referral_id,
                                                                                 int limit) = 0;
  // The reports that arrived about the referral, in arrival order.
  virtual std::expected<std::vector<ReferralReportRecord>, StoreError> referral_reports(
      const std::string& referral_id) = 0;
  // Whether the limit (referral_id, kind, key) was raised already.
  virtual std::expected<bool, StoreError> referral_reminder_raised(const std::string& referral_id,
                                                                   const std::string& kind, const std::string& key) = 0;
};

}  // namespace knutpunkt
