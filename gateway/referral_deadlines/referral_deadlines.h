#pragma once
// Time limits on referrals to Jobbtorg, raised as case events to the referring case system: a
// referral Jobbtorg has not acknowledged (referral.not_enrolled), a first visit that did not come
// in time (referral.first_visit_overdue, within 14 days of the referral unless the route says
// otherwise), a plan follow-up date that passed with no follow-up reported
// (referral.plan_followup_overdue). The rules are time_limits.h's; this is the periodic round
// that applies them, the same machinery SIP's reminders use: each limit raised once, in one
// transaction with its audit record and the row that remembers it was raised.
#include <chrono>
#include <expected>
#include <functional>
#include <string>
#include <vector>

#include "delivery/delivery_engine.h"
#include "referral_deadlines/time_limits.h"
#include "routing/event_publisher.h"
#include "routing/route_table.h"
#include "store/store.h"

namespace knutpunkt::referral_deadlines {

class ReferralDeadlines {
 public:
  using Clock = std::function<std::chrono::system_clock::time_point()>;

  // `limits`: one per rule of `routes`, in the same order (GatewayConfig::route_time_limits).
  ReferralDeadlines(delivery::DeliveryEngine& engine, Store& store, const routing::RouteTable& routes,
                    std::vector<routing::ReferralTimeLimits> limits, const routing::EventPublisher& publisher,
                    Clock clock);

  // The limits of the route that sent the referral (time_limits.h, limits_for).
  routing::ReferralTimeLimits limits_for(const ReferralRecord& referral) const;

  // Raises what is due now for the active referrals, once each; `done` gets how many were raised,
  // once every one of them is stored (so a next round never sees one still committing).
  void raise_due(std::function<void(std::expected<int, StoreError>)> done);

 private:
  delivery::DeliveryEngine& engine_;
  Store& store_;
  const routing::RouteTable& routes_;
  std::vector<routing::ReferralTimeLimits> limits_;
  const routing::EventPublisher& publisher_;
  Clock clock_;
};

}  // namespace knutpunkt::referral_deadlines
