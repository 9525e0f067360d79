#pragma once
// Every kind of write that commits in one transaction with audit records (Store::commit).
#include <variant>

#include "store/attendance_records.h"
#include "store/audit_checkpoint.h"
#include "store/case_records.h"
#include "store/consent_records.h"
#include "store/delivery_records.h"
#include "store/manual_records.h"
#include "store/protected_records.h"
#include "store/referral_deadline_records.h"
#include "store/session_records.h"
#include "store/sip_records.h"

namespace knutpunkt {

using StoreWrite =
    std::variant<store_write::EnqueueMessage, store_write::RecordAttempt, store_write::Replay, store_write::AppendEvent,
                 store_write::PutReferral, store_write::ChangeReferral, store_write::PutIdempotency,
                 store_write::PutInboundReceipt, store_write::PutConsent, store_write::WithdrawConsent,
                 store_write::PutCase, store_write::RememberProtected, store_write::PutManualItem,
                 store_write::ResolveManualItem, store_write::RemoveAuditThrough, store_write::PutSipPlan,
                 store_write::PutSipReminder, store_write::PutSession, store_write::EndSession,
                 store_write::PutAttendanceDay, store_write::PutAttendanceSummary, store_write::PutAbsenceFlag,
                 store_write::WithdrawAbsenceFlag, store_write::PutReferralReport, store_write::PutReferralReminder>;

}  // namespace knutpunkt
