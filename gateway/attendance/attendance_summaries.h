#pragma once
// The monthly attendance summary of each referral (referral.attendance_summary), raised by a
// periodic job once the month is complete and raised again, as the next revision, when a day of
// it is corrected or reported late; a month of an active referral in which Jobbtorg reported
// nothing gets one too, saying so. And the same figures on request. Each summary commits with its
// own audit record.
#include <atomic>
#include <chrono>
#include <expected>
#include <functional>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

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

  // Raises every summary due now, once each; `done` gets how many were raised. The months in
  // which nothing was reported are looked for once per newly complete month (and once after a
  // start), not every round: until the next month completes, none can become due.
  void raise_due(std::function<void(std::expected<int, StoreError>)> done);

  // The referral's attendance in `month` as stored now: the summary's figures, the days, whether
  // the month is complete and the latest summary raised. Failure "unknown_referral" when the
  // referral is not `client_id`'s (its existence is not disclosed), "store_unavailable".
  std::expected<nlohmann::json, Failure> month_view(const std::string& client_id, const std::string& referral_id,
                                                    std::chrono::year_month month) const;

 private:
  struct Round;
  struct SummaryRevision {
    int number = 1;
    int covers_changes = 0;
  };

  // The months whose days changed since their last summary (or that have none).
  std::expected<void, StoreError> raise_changed(const std::string& through, std::chrono::system_clock::time_point now,
                                                const std::shared_ptr<Round>& round);
  // The complete months of active referrals in which Jobbtorg reported nothing.
  std::expected<void, StoreError> raise_unreported(std::chrono::system_clock::time_point now,
                                                   const std::shared_ptr<Round>& round);
  // Commits the summary with its audit record; a failed commit sets `missed` when given.
  void submit_summary(const ReferralRecord& referral, std::chrono::year_month month, const std::vector<DayValues>& days,
                      SummaryRevision revision, std::chrono::system_clock::time_point now,
                      const std::shared_ptr<Round>& round, std::atomic<bool>* missed);
  std::optional<std::chrono::year_month> unreported_checked_through() const;
  void mark_unreported_checked(std::chrono::year_month through);

  delivery::DeliveryEngine& engine_;
  Store& store_;
  const routing::EventPublisher& publisher_;
  AttendanceRules rules_;
  Clock clock_;
  mutable std::mutex unreported_mutex_;
  // The latest complete month through which every unreported month was summarised.
  std::optional<std::chrono::year_month> unreported_checked_through_;
};

}  // namespace knutpunkt::attendance
