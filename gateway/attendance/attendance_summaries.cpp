#include "attendance/attendance_summaries.h"

#include <atomic>
#include <memory>

#include "attendance/attendance_ledger.h"
#include "core/clock.h"

namespace knutpunkt::attendance {
namespace {

// A withdrawn referral (by its case system, or because its consent was withdrawn or its case
// closed) gets no more summaries: nothing more about the person is published under it.
bool referral_is_open(const ReferralRecord& referral) {
  return referral.status == kReferralActive;
}

std::expected<std::vector<DayValues>, StoreError> stored_days(Store& store, const std::string& referral_id,
                                                              const std::string& month) {
  auto records = store.attendance_days(referral_id, month);
  if (!records) return std::unexpected(records.error());
  std::vector<DayValues> days;
  for (const AttendanceDayRecord& r : *records) {
    if (auto d = day_from_facts(r.day)) days.push_back(std::move(*d));
  }
  return days;
}

}  // namespace

AttendanceSummaries::AttendanceSummaries(delivery::DeliveryEngine& engine, Store& store,
                                         const routing::EventPublisher& publisher, AttendanceRules rules, Clock clock)
    : engine_(engine), store_(store), publisher_(publisher), rules_(rules), clock_(std::move(clock)) {}

void AttendanceSummaries::raise_due(std::function<void(std::expected<int, StoreError>)> done) {
  const auto now = clock_();
  struct Round {
    std::atomic<int> outstanding{1};  // one for the scan itself
    std::atomic<int> raised{0};
    std::function<void(std::expected<int, StoreError>)> done;
    void finish() {
      if (--outstanding == 0) done(raised.load());
    }
  };
  auto round = std::make_shared<Round>();
  round->done = std::move(done);
  const std::string through = format_month(latest_complete_month(now, rules_.summary_grace_days));
  std::string after_referral, after_month;
  for (;;) {
    auto page = store_.attendance_months_to_summarise(through, after_referral, after_month, 200);
    if (!page) return round->done(std::unexpected(page.error()));
    if (page->empty()) break;
    after_referral = page->back().referral_id;
    after_month = page->back().month;
    for (const AttendanceMonthRecord& m : *page) {
      const auto month = parse_month(m.month);
      if (!month) continue;
      const auto revision =
          summary_due(*month, {m.changes, m.summarised_changes, m.summary_revision}, now, rules_.summary_grace_days);
      if (!revision) continue;
      auto referral = store_.referral(m.referral_id);
      if (!referral || !*referral) continue;  // looked at again next round
      if (!referral_is_open(**referral)) continue;
      // The month's progress is read before its days: a change committed in between is in the
      // days but not in covers_changes, so the next round summarises again rather than missing it.
      auto days = stored_days(store_, m.referral_id, m.month);
      if (!days) continue;
      const ReferralRecord& r = **referral;
      nlohmann::json facts = summarise(*month, *days, terms_of(r.referral));
      facts["referral_id"] = r.referral_id;
      facts["revision"] = *revision;
      const std::string now_text = format_utc(now);
      CaseEvent e = new_case_event(
          {.type = kAttendanceSummary,
           .received_at = now_text,
           .source_partner = "knutpunkt",
           .case_id = r.case_id,
           .subject = {r.person_id, r.referral.value("person", nlohmann::json::object()).value("id_kind", "")},
           .correlation_id = r.referral_id,
           .protected_identity = r.protected_identity,
           .facts = facts});
      std::vector<StoreWrite> writes =
          publisher_.publish(e, r.client_id,
                             routing::RouteKey{e.type, r.client_id, r.referral.value("municipality", ""),
                                               r.referral.value("unit", ""), r.referral.value("district", "")},
                             r.referral_id);
      writes.push_back(store_write::PutAttendanceSummary{
          AttendanceSummaryRecord{r.referral_id, m.month, *revision, facts, now_text}, m.changes});
      nlohmann::json body = {{"referral_id", r.referral_id},
                             {"client_id", r.client_id},
                             {"case_id", r.case_id},
                             {"person_id", r.person_id},
                             {"month", m.month},
                             {"revision", *revision},
                             {"summary", facts},
                             {"event_ids", {e.event_id}}};
      ++round->outstanding;
      engine_.submit(kAttendanceSummary, std::move(body), std::move(writes),
                     [round](std::expected<AuditReceipt, StoreError> receipt) {
                       if (receipt) ++round->raised;
                       round->finish();
                     });
    }
  }
  round->finish();
}

std::expected<nlohmann::json, Failure> AttendanceSummaries::month_view(const std::string& client_id,
                                                                       const std::string& referral_id,
                                                                       std::chrono::year_month month) const {
  auto referral = store_.referral(referral_id);
  if (!referral) return std::unexpected(Failure{"store_unavailable", referral.error().code});
  if (!*referral || (*referral)->client_id != client_id) {
    return std::unexpected(Failure{"unknown_referral", "no such referral"});
  }
  const std::string key = format_month(month);
  auto records = store_.attendance_days(referral_id, key);
  if (!records) return std::unexpected(Failure{"store_unavailable", records.error().code});
  auto latest = store_.attendance_summary(referral_id, key);
  if (!latest) return std::unexpected(Failure{"store_unavailable", latest.error().code});
  std::vector<DayValues> days;
  nlohmann::json listed = nlohmann::json::array();
  for (const AttendanceDayRecord& r : *records) {
    auto d = day_from_facts(r.day);
    if (!d) continue;
    nlohmann::json entry = to_json(*d);
    entry["version"] = r.version;
    listed.push_back(std::move(entry));
    days.push_back(std::move(*d));
  }
  nlohmann::json out = {{"referral_id", referral_id},
                        {"case_id", (*referral)->case_id},
                        {"month", key},
                        {"complete", month_complete(month, clock_(), rules_.summary_grace_days)},
                        {"summary", summarise(month, days, terms_of((*referral)->referral))},
                        {"days", std::move(listed)},
                        {"latest_summary", nullptr}};
  if (*latest) {
    out["latest_summary"] = {{"revision", (*latest)->revision}, {"raised_at", (*latest)->raised_at}};
  }
  return out;
}

}  // namespace knutpunkt::attendance
