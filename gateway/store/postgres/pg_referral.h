#pragma once
// Referrals, idempotency keys and inbound receipts in PostgreSQL. Their primary keys are what
// keeps several instances from accepting the same request or partner message twice.
#include <expected>
#include <optional>
#include <string>
#include <string_view>

#include "store/delivery_records.h"
#include "store/postgres/pg_connection.h"

namespace knutpunkt::pg {

std::string_view referral_schema();
// Migration 2: a referral's status, version and consent, and its change history.
std::string_view referral_change_schema();
// Migration 5: referrals looked up by status (the scans of active ones: attendance summaries, time
// limits).
std::string referral_status_schema();

std::expected<void, StoreError> apply(Connection& c, const store_write::PutReferral& w);
std::expected<void, StoreError> apply(Connection& c, const store_write::ChangeReferral& w);
std::expected<void, StoreError> apply(Connection& c, const store_write::PutIdempotency& w);
std::expected<void, StoreError> apply(Connection& c, const store_write::PutInboundReceipt& w);

std::expected<std::optional<ReferralRecord>, StoreError> referral(Connection& c, const std::string& referral_id);
std::expected<std::vector<ReferralRecord>, StoreError> referrals_on_consent(Connection& c,
                                                                            const std::string& consent_id);
std::expected<std::vector<ReferralRecord>, StoreError> referrals_of_case(Connection& c, const std::string& client_id,
                                                                         const std::string& case_id);
std::expected<std::vector<ReferralRecord>, StoreError> referrals_with_status(Connection& c, const std::string& status,
                                                                             const std::string& after_referral_id,
                                                                             int limit);
std::expected<std::optional<IdempotencyRecord>, StoreError> idempotency(Connection& c, const std::string& client_id,
                                                                        const std::string& key);
std::expected<bool, StoreError> inbound_seen(Connection& c, const std::string& partner,
                                             const std::string& partner_message_id);

}  // namespace knutpunkt::pg
