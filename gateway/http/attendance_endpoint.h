#pragma once
// GET /v1/referrals/{referral_id}/attendance?month=YYYY-MM: a referral's attendance in a month as
// stored now (the summary's figures, each day as last corrected, and the latest summary raised),
// for the case system that sent the referral.
#include "attendance/attendance_summaries.h"
#include "http/exchange.h"

namespace knutpunkt::http {

class AttendanceEndpoint {
 public:
  explicit AttendanceEndpoint(const attendance::AttendanceSummaries& summaries);

  // Guard: any signed-in client; another client's referral is not found.
  void month(Exchange exchange);

 private:
  const attendance::AttendanceSummaries& summaries_;
};

}  // namespace knutpunkt::http
