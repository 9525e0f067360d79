#include "attendance/attendance_summaries.h"

#include <algorithm>
#include <array>
#include <atomic>
#include <memory>
#include <string_view>

#include "attendance/attendance_ledger.h"
#include "core/clock.h"

namespace knutpunkt::attendance {
namespace {

constexpr int kPage = 200;

// Jobbtorg's reports that end its work on a referral (as for the time limits): after the month
// one of them arrived in, no month is summarised for having nothing reported.
constexpr std::array<std::string_view, 3> kEndingReports{"EJ_INSKRIVEN", "AVBROTT", "AVSLUT"};

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

// The month Jobbtorg ended its work on the referral in, if it did.
std::expected<std::optional<std::chrono::year_month>, StoreError> ended_in(Store& store,
                                                                           const std::string& referral_id) {
  auto reports = store.referral_reports(referral_id);
  if (!reports) return std::unexpected(reports.error());
  for (const ReferralReportRecord& r : *reports) {
    if (std::find(kEndingReports.begin(), kEndingReports.end(), r.report_type) != kEndingReports.end()) {
      return parse_month(std::string_view(r.received_at).substr(0, 7));
    }
  }
  return std::nullopt;
}

}  // namespace

// One round of the job: done once the scan has ended and every commit it submitted has answered.
struct AttendanceSummaries::Round {
  std::atomic<int> outstanding{1};  // one for the scan itself
  std::atomic<int> raised{0};
  // A month in which nothing was reported that could not be read or committed this round.
  std::atomic<bool> unreported_missed{false};
  std::optional<StoreError> error;  // set by the scan only, before it finishes
  std::function<void(const Round&)> finished;
  void finish() {
    if (--outstanding == 0) finished(*this);
  }
};

AttendanceSummaries::AttendanceSummaries(delivery::DeliveryEngine& engine, Store& store,
                                         const routing::EventPublisher& publisher, AttendanceRules rules, Clock clock)
    : engine_(engine), store_(store), publisher_(publisher), rules_(rules), clock_(std::move(clock)) {}

void AttendanceSummaries::raise_due(std::function<void(std::expected<int, StoreError>)> done) {
  const auto now = clock_();
  const std::chrono::year_month through = latest_complete_month(now, rules_.summary_grace_days);
  const bool look_for_unreported = unreported_checked_through() != through;
  auto round = std::make_shared<Round>();
  round->finished = [this, through, look_for_unreported, done = std::move(done)](const Round& r) {
    if (r.error) return done(std::unexpected(*r.error));
    if (look_for_unreported && !r.unreported_missed) mark_unreported_checked(through);
    done(r.raised.load());
  };
  if (auto scanned = raise_changed(format_month(through), now, round); !scanned) {
    round->error = scanned.error();
  } else if (look_for_unreported) {
    if (auto unreported = raise_unreported(now, round); !unreported) round->error = unreported.error();
  }
  round->finish();
}

std::expected<void, StoreError> AttendanceSummaries::raise_changed(const std::string& through,
                                                                   std::chrono::system_clock::time_point now,
                                                                   const std::shared_ptr<Round>& round) {
  std::string after_referral, after_month;
  for (;;) {
    auto page = store_.attendance_months_to_summarise(through, after_referral, after_month, kPage);
    if (!page) return std::unexpected(page.error());
    if (page->empty()) return {};
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
      submit_summary(**referral, *month, *days, {*revision, m.changes}, now, round, nullptr);
    }
  }
}

std::expected<void, StoreError> AttendanceSummaries::raise_unreported(std::chrono::system_clock::time_point now,
                                                                      const std::shared_ptr<Round>& round) {
  std::string after;
  for (;;) {
    auto page = store_.referrals_with_status(kReferralActive, after, kPage);
    if (!page) return std::unexpected(page.error());
    if (page->empty()) return {};
    after = page->back().referral_id;
    for (const ReferralRecord& r : *page) {
      const ReferralTerms terms = terms_of(r.referral);
      const auto first = first_summarised_month(terms, r.created_at);
      if (!first) continue;  // no acceptance date to count from: nothing can be said to be missing
      auto tracked = store_.attendance_months_of(r.referral_id);
      auto last = ended_in(store_, r.referral_id);
      if (!tracked || !last) {
        round->unreported_missed = true;
        continue;
      }
      std::vector<std::chrono::year_month> reported_or_summarised;
      for (const AttendanceMonthRecord& m : *tracked) {
        const auto month = parse_month(m.month);
        if (month && (m.changes > 0 || m.summary_revision > 0)) reported_or_summarised.push_back(*month);
      }
      for (const auto month :
           unreported_months_due(*first, *last, reported_or_summarised, now, rules_.summary_grace_days)) {
        submit_summary(r, month, {}, {1, 0}, now, round, &round->unreported_missed);
      }
    }
  }
}

void AttendanceSummaries::submit_summary(const ReferralRecord& r, std::chrono::year_month month,
                                         const std::vector<DayValues>& days, SummaryRevision revision,
                                         std::chrono::system_clock::time_point now, const std::shared_ptr<Round>& round,
                                         std::atomic<bool>* missed) {
  const std::string month_text = format_month(month);
  nlohmann::json facts = summarise(month, days, terms_of(r.referral));
  facts["referral_id"] = r.referral_id;
  facts["revision"] = revision.number;
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
      AttendanceSummaryRecord{r.referral_id, month_text, revision.number, facts, now_text}, revision.covers_changes});
  nlohmann::json body = {{"referral_id", r.referral_id},
                         {"client_id", r.client_id},
                         {"case_id", r.case_id},
                         {"person_id", r.person_id},
                         {"month", month_text},
                         {"revision", revision.number},
                         {"summary", facts},
                         {"event_ids", {e.event_id}}};
  ++round->outstanding;
  engine_.submit(kAttendanceSummary, std::move(body), std::move(writes),
                 [round, missed](std::expected<AuditReceipt, StoreError> receipt) {
                   if (receipt) {
                     ++round->raised;
                   } else if (missed != nullptr) {
                     *missed = true;
                   }
                   round->finish();
                 });
}

std::optional<std::chrono::year_month> AttendanceSummaries::unreported_checked_through() const {
  std::lock_guard lock(unreported_mutex_);
  return unreported_checked_through_;
}

void AttendanceSummaries::mark_unreported_checked(std::chrono::year_month through) {
  std::lock_guard lock(unreported_mutex_);
  unreported_checked_through_ = through;
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
