#pragma once
// Persistence the core depends on, one interface per aggregate. A component takes the narrowest
// interface it reads; `Store` is what a backend implements (sqlite/, postgres/) and the gateway
// owns. Every write goes through Committer, with the audit records that vouch for it.
#include <expected>

#include "store/attendance_store.h"
#include "store/audit_store.h"
#include "store/case_store.h"
#include "store/committer.h"
#include "store/consent_store.h"
#include "store/delivery_lease_store.h"
#include "store/event_feed_store.h"
#include "store/manual_store.h"
#include "store/outbox_store.h"
#include "store/protected_store.h"
#include "store/referral_deadline_store.h"
#include "store/referral_store.h"
#include "store/session_store.h"
#include "store/sip_store.h"
#include "store/store_error.h"

namespace knutpunkt {

class Store : public Committer,
              public AuditStore,
              public OutboxStore,
              public DeliveryLeaseStore,
              public EventFeedStore,
              public ReferralStore,
              public ConsentStore,
              public CaseStore,
              public ProtectedStore,
              public ManualStore,
              public SipStore,
              public SessionStore,
              public AttendanceStore,
              public ReferralDeadlineStore {
 public:
  ~Store() override = default;

  // Readiness: the store answers a trivial query.
  virtual std::expected<void, StoreError> ping() = 0;
};

}  // namespace knutpunkt
