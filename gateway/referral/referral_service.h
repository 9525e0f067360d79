#pragma once
// Referrals both ways. Out: an accepted referral is routed by district to its Jobbtorg and put in
// the outbox in the same transaction as its audit record, so the 202 a case system gets means
// "durable". Back: a partner's report is deduplicated on the partner's message id, mapped to
// case events, and published to the referring case system's feed and webhooks, again in one
// transaction with its audit record.
#include <expected>
#include <functional>
#include <set>
#include <string>
#include <vector>

#include "attendance/attendance_ledger.h"
#include "core/failure.h"
#include "core/in_flight_claims.h"
#include "core/inbound_adapter.h"
#include "delivery/delivery_engine.h"
#include "referral/referral.h"
#include "routing/event_publisher.h"
#include "routing/route_table.h"
#include "store/store.h"

namespace knutpunkt {

inline constexpr const char* kReferralRequested = "referral.requested";

// A ReferralService Failure's code: "unknown_district" (no route), "unknown_referral",
// "not_your_referral", "duplicate_in_flight", "store_unavailable", "audit_unavailable".

inline constexpr const char* kReferralHeld = "referral.held_for_manual_handling";

// A referral ready to commit: ids assigned, destinations chosen, writes built.
struct PreparedReferral {
  Referral referral;
  std::vector<std::pair<std::string, std::string>> messages;  // (destination, message id)
  // Set when the person has protected identity: nothing is sent automatically; the referral
  // waits in the manual-handling queue for an operator.
  std::string manual_item_id;
  std::string accepted_at;
  std::vector<StoreWrite> writes;
  nlohmann::json audit_body;
};

struct ReportOutcome {
  bool duplicate = false;
  std::vector<std::string> event_ids;
  bool published = true;  // false: about a withdrawn referral, acknowledged and audited only
};

class ReferralService {
 public:
  // `outbound` are the names of destinations that deliver referrals (adapters with an outbound
  // facet); routes naming anything else for a referral are ignored.
  // `attendance`: when unexcused absence is flagged (the attendance days of reports).
  ReferralService(delivery::DeliveryEngine& engine, Store& store, const routing::RouteTable& routes,
                  const routing::EventPublisher& publisher, std::set<std::string> outbound,
                  attendance::AttendanceRules attendance = {});

  // The Jobbtorg a referral goes to: the first matching route naming a delivering adapter (rules
  // are in priority order), so its reports are the only ones accepted for it. unknown_district
  // when none matches.
  std::expected<std::string, Failure> destination(const Referral& referral) const;

  // Assigns the referral id and routes it. Fails with unknown_district when no route matches. A
  // person the case system or any partner marked protected is held for manual handling instead
  // of being put in the outbox (also when the store cannot say: fail closed).
  std::expected<PreparedReferral, Failure> prepare(Referral referral) const;

  // Commits (audit record "referral.accepted" plus the writes, and any `extra` writes such as an
  // idempotency key) and calls `done` once durable or failed.
  void commit(PreparedReferral prepared, std::vector<StoreWrite> extra,
              std::function<void(std::expected<AuditReceipt, Failure>)> done);

  // A partner's report about a referral it received from us. Attendance days are decided against
  // the days stored (attendance/attendance_ledger.h): one report about a referral's attendance
  // at a time ("referral_busy" while another commits; the partner sends it again).
  void accept_report(const std::string& partner, InboundReport report,
                     std::function<void(std::expected<ReportOutcome, Failure>)> done);

  // Registers on_settled for referrals, and as the engine's default: a case event that could not
  // be pushed to a client's webhook (any type no other service claims) is told in its feed.
  void register_with(delivery::DeliveryEngine& engine) const;

  // Settlement: tells the case system a referral was sent, or that it could not be delivered
  // (delivery.failed).
  std::vector<StoreWrite> on_settled(const OutboxMessage& message, MessageStatus status,
                                     const std::string& reason) const;

 private:
  delivery::DeliveryEngine& engine_;
  Store& store_;
  const routing::RouteTable& routes_;
  const routing::EventPublisher& publisher_;
  std::set<std::string> outbound_;

  // (partner, partner message id) of reports being committed right now.
  InFlightClaims<std::pair<std::string, std::string>> reports_in_flight_;
  attendance::AttendanceLedger attendance_;
  // Referrals whose attendance a report is committing right now.
  InFlightClaims<std::string> attendance_in_flight_;
};

}  // namespace knutpunkt
