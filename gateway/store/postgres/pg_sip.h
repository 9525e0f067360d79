#pragma once
// SIP plans, their versions and reminders in PostgreSQL.
#include <expected>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "store/postgres/pg_connection.h"
#include "store/sip_records.h"

namespace knutpunkt::pg {

std::string_view sip_schema();

std::expected<void, StoreError> apply(Connection& c, const store_write::PutSipPlan& w);
std::expected<void, StoreError> apply(Connection& c, const store_write::PutSipReminder& w);

std::expected<std::optional<SipPlanRecord>, StoreError> sip_plan(Connection& c, const std::string& plan_id);
std::expected<std::optional<nlohmann::json>, StoreError> sip_plan_version(Connection& c, const std::string& plan_id,
                                                                          int version);
std::expected<std::vector<SipPlanRecord>, StoreError> sip_plans_with_consent(Connection& c,
                                                                             const std::string& consent_id);
std::expected<std::vector<SipPlanRecord>, StoreError> open_sip_plans(Connection& c, const std::string& after_plan_id,
                                                                     int limit);
std::expected<bool, StoreError> sip_reminder_raised(Connection& c, const std::string& plan_id, const std::string& kind,
                                                    const std::string& key);

}  // namespace knutpunkt::pg
