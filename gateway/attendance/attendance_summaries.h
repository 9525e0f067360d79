#pragma once
// The monthly attendance summary of each referral (referral.attendance_summary), raised by a
// periodic job once the month is complete and raised again, as the next revision, when a day of
// it is corrected or reported late; and the same figures on request. Each summary commits with
// its own audit record.
#include <chrono>
#include <expected>
#include <functional>
#include <nlohmann/json.hpp>
#include <string>

#include "attendance/attendance_month.h"
#include "core/failure.h"
#include "delivery/delivery_engine.h"
#include "routing/event_publisher.h"
#include "store/store.h"

namespace knutpunkt::attendance {

class AttendanceSummaries {
 public:
  using Clock = std::function<std::chrono::system_clock::time_point()>;

  AttendanceSummaries(delivery::DeliveryEngine& engine, Store& store, const routing::EventPublisher& publisher,
                      AttendanceRules rules, Clock clock);

  // Raises every summary due now, once each; `done` gets how many were raised.
  void raise_due(std::function<void(std::expected<int, StoreError>)> done);

  // The referral's attendance in `month` as stored now: the summary's figures, the days, whether
  // the month is complete and the latest summary raised. Failure "unknown_referral" when the
  // referral is not `client_id`'s (its existence is not disclosed), "store_unavailable".
  std::expected<nlohmann::json, Failure> month_view(const std::string& client_id, const std::string& referral_id,
                                                    std::chrono::year_month month) const;

 private:
  delivery::DeliveryEngine& engine_;
  Store& store_;
  const routing::EventPublisher& publisher_;
  AttendanceRules rules_;
  Clock clock_;
};

}  // namespace knutpunkt::attendance
