#include "referral_deadlines/referral_deadlines.h"

#include <algorithm>
#include <atomic>
#include <memory>
#include <mutex>
#include <optional>

#include "core/case_event.h"
#include "core/clock.h"
#include "log/log.h"

namespace knutpunkt::referral_deadlines {
namespace {

using nlohmann::json;

constexpr int kPage = 200;

routing::RouteKey route_key(const ReferralRecord& referral, const std::string& type) {
  const json& r = referral.referral;
  return {type, referral.client_id, r.value("municipality", ""), r.value("unit", ""), r.value("district", "")};
}

ReferralTimeline timeline_of(std::chrono::system_clock::time_point accepted_at,
                             const std::vector<ReferralReportRecord>& reports) {
  ReferralTimeline t{accepted_at, {}};
  for (const ReferralReportRecord& r : reports) {
    ArrivedReport arrived{r.report_type, std::nullopt};
    if (!r.planned_followup.empty()) arrived.planned_followup = r.planned_followup;
    t.reports.push_back(std::move(arrived));
  }
  return t;
}

// One round: counts what was raised and answers once the last commit is stored, also when the
// scan stopped on a store error (so the next round never overlaps a commit of this one).
struct Round {
  std::function<void(std::expected<int, StoreError>)> done;
  std::atomic<int> outstanding{1};  // the scan itself, until it has submitted everything
  std::atomic<int> raised{0};
  std::mutex mutex;
  std::optional<StoreError> failed;  // the scan's, under mutex
  void fail(StoreError error) {
    std::lock_guard lock(mutex);
    failed = std::move(error);
  }
  void finish() {
    if (--outstanding != 0) return;
    std::optional<StoreError> error;
    {
      std::lock_guard lock(mutex);
      error = failed;
    }
    if (error) return done(std::unexpected(std::move(*error)));
    done(raised.load());
  }
};

}  // namespace

ReferralDeadlines::ReferralDeadlines(delivery::DeliveryEngine& engine, Store& store, const routing::RouteTable& routes,
                                     std::vector<routing::ReferralTimeLimits> limits,
                                     const routing::EventPublisher& publisher, Clock clock)
    : engine_(engine),
      store_(store),
      routes_(routes),
      limits_(std::move(limits)),
      publisher_(publisher),
      clock_(std::move(clock)) {}

routing::ReferralTimeLimits ReferralDeadlines::limits_for(const ReferralRecord& referral) const {
  return referral_deadlines::limits_for(routes_, limits_, referral);
}

void ReferralDeadlines::raise_due(std::function<void(std::expected<int, StoreError>)> done) {
  const auto now = clock_();
  const std::string now_text = format_utc(now);
  auto round = std::make_shared<Round>();
  round->done = std::move(done);
  std::string after;
  for (;;) {
    // Only referrals still running: a withdrawn one (by its case system, or because its consent
    // or its case ended) is not waited for, since Jobbtorg was told to stop.
    auto page = store_.referrals_with_status(kReferralActive, after, kPage);
    if (!page) {
      round->fail(page.error());
      break;
    }
    if (page->empty()) break;
    after = page->back().referral_id;
    for (const ReferralRecord& referral : *page) {
      const std::string& referral_id = referral.referral_id;
      const auto accepted_at = parse_utc(referral.created_at);
      if (!accepted_at) {
        log::warn("referral.time_limits_unreadable", {{"referral_id", referral_id}, {"field", "created_at"}});
        continue;
      }
      auto reports = store_.referral_reports(referral_id);
      if (!reports) {
        round->fail(reports.error());
        return round->finish();
      }
      const routing::ReferralTimeLimits limits = limits_for(referral);
      for (const DueLimit& due : due_limits(timeline_of(*accepted_at, *reports), limits, now)) {
        auto raised = store_.referral_reminder_raised(referral_id, due.event_type, due.key);
        if (!raised) {
          round->fail(raised.error());
          return round->finish();
        }
        if (*raised) continue;
        CaseEvent e = new_case_event(
            {.type = due.event_type,
             .occurred_at = format_utc(due.due_at),
             .received_at = now_text,
             .source_partner = "knutpunkt",
             .case_id = referral.case_id,
             .subject = {referral.person_id, referral.referral.value("person", json::object()).value("id_kind", "")},
             .correlation_id = referral_id,
             // Nothing arrived to cause it: the referral whose limit ran out is the cause.
             .causation_id = referral_id,
             .protected_identity = referral.protected_identity,
             .facts = {{"referral_id", referral_id},
                       {"destination", referral.destination},
                       {"accepted_at", referral.created_at},
                       {"due_at", format_utc(due.due_at)}}});
        if (due.followup_date) {
          e.facts["planned_followup"] = *due.followup_date;
        } else {
          e.facts["limit_days"] = due.limit_days;
        }
        std::vector<StoreWrite> writes =
            publisher_.publish(e, referral.client_id, route_key(referral, e.type), referral_id);
        writes.push_back(store_write::PutReferralReminder{referral_id, due.event_type, due.key, now_text});
        json body = {{"referral_id", referral_id},
                     {"client_id", referral.client_id},
                     {"case_id", referral.case_id},
                     {"person_id", referral.person_id},
                     {"destination", referral.destination},
                     {"limit", due.event_type},
                     {"due_key", due.key},
                     {"due_at", format_utc(due.due_at)},
                     {"reports_seen", reports->size()},
                     {"event_ids", {e.event_id}}};
        ++round->outstanding;
        engine_.submit(due.event_type, std::move(body), std::move(writes),
                       [round](std::expected<AuditReceipt, StoreError> receipt) {
                         // A conflict: another instance raised it first. Either way it is raised once.
                         if (receipt) ++round->raised;
                         round->finish();
                       });
      }
    }
  }
  round->finish();
}

}  // namespace knutpunkt::referral_deadlines
