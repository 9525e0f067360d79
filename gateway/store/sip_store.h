#pragma once
// SIP plans, every version of each, and the reminders raised about them.
#include <expected>
#include <functional>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "store/sip_records.h"
#include "store/store_error.h"

namespace knutpunkt {

class SipStore {
 public:
  virtual ~SipStore() = default;

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
