#pragma once
// What the referral time limits read and write in PostgreSQL: the reports each referral
// received and the limits raised.
#include <expected>
#include <string>
#include <string_view>
#include <vector>

#include "store/postgres/pg_connection.h"
#include "store/referral_deadline_records.h"

namespace knutpunkt::pg {

// Schema migration 4.
std::string referral_deadline_schema();

std::expected<void, StoreError> apply(Connection& c, const store_write::PutReferralReport& w);
std::expected<void, StoreError> apply(Connection& c, const store_write::PutReferralReminder& w);

std::expected<std::vector<ReferralReportRecord>, StoreError> referral_reports(Connection& c,
                                                                              const std::string& referral_id);
std::expected<bool, StoreError> referral_reminder_raised(Connection& c, const std::string& referral_id,
                                                         const std::string& kind, const std::string& key);

}  // namespace knutpunkt::pg
