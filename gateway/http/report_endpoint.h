#pragma once
// POST /v1/partners/{adapter}/reports: a partner calls back. Either about a referral it received
// (Jobbtorg's reports, handled by the referral service) or with its own news about a person
// (Försäkringskassan's decisions, passed to the person's open cases), or a SIP participant's
// system about a plan (a region's reply or proposed change, taken by the SIP coordinator). The
// adapter's reading of the message says which.
#include <map>
#include <string>

#include "audit/audit_log.h"
#include "core/inbound_adapter.h"
#include "http/exchange.h"
#include "http/message.h"
#include "notification/person_notification_service.h"
#include "referral/referral_service.h"
#include "sip_coordination/sip_coordinator.h"

namespace knutpunkt::http {

class ReportEndpoint {
 public:
  ReportEndpoint(ReferralService& referrals, PersonNotificationService& notifications,
                 std::map<std::string, const InboundAdapter*> adapters, sip_coordination::SipCoordinator* sip = nullptr);

  // Guard: the partner the path's {adapter} names.
  void handle(Exchange exchange);

 private:
  void notification(Exchange exchange, InboundReport report);
  void participant_message(Exchange exchange, InboundReport report);

  ReferralService& referrals_;
  PersonNotificationService& notifications_;
  std::map<std::string, const InboundAdapter*> adapters_;
  sip_coordination::SipCoordinator* sip_;
};

}  // namespace knutpunkt::http
