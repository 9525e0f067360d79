#include "audit_review/log_checks.h"

#include <algorithm>
#include <chrono>
#include <map>
#include <optional>

#include "core/clock.h"

namespace knutpunkt::audit_review {

namespace {

using namespace std::chrono;

const std::vector<std::string> kConsentReasons = {"no_consent", "consent_out_of_scope", "consent_not_yet_valid",
                                                  "consent_expired", "consent_withdrawn"};
const std::vector<std::string> kCaseReasons = {"no_open_case", "case_closed", "not_in_household"};

// A caseworker's day stands out when it is at least this many times their own median day and
// above a floor (a quiet caseworker's two lookups are not a pattern).
constexpr double kVolumeFactor = 3.0;
constexpr int kVolumeFloor = 10;

bool contains(const std::vector<std::string>& list, const std::string& value) {
  return std::find(list.begin(), list.end(), value) != list.end();
}

// A member of a record's body. A body edited into something else (the verifier names such a
// record) must not stop a report: a member missing or of another type reads as absent here.
const nlohmann::json* body_member(const IndexedAuditRecord& r, const char* key) {
  if (!r.record.body.is_object()) return nullptr;
  const auto it = r.record.body.find(key);
  return it == r.record.body.end() ? nullptr : &*it;
}

bool body_flag(const IndexedAuditRecord& r, const char* key) {
  const auto* v = body_member(r, key);
  return v && v->is_boolean() && v->get<bool>();
}

std::string body_text(const IndexedAuditRecord& r, const char* key) {
  const auto* v = body_member(r, key);
  return v && v->is_string() ? v->get<std::string>() : std::string();
}

std::string first_person(const IndexedAuditRecord& r) {
  return r.index.persons.empty() ? std::string() : r.index.persons.front();
}

// Visits the period's records of one operation, oldest first.
std::expected<void, ReportError> scan(Store& store, const std::string& operation, const std::string& since,
                                      const std::string& until,
                                      const std::function<void(const IndexedAuditRecord&)>& visit) {
  AuditQuery q;
  q.operation = operation;
  q.since = since;
  q.until = until;
  auto ok = store.scan_audit_index(q, /*oldest_first=*/true, [&](const IndexedAuditRecord& r) {
    visit(r);
    return true;
  });
  if (!ok) return std::unexpected(ReportError{"store_unavailable", ok.error().message});
  return {};
}

// Last Sunday of a month at 01:00 UTC: when EU summer time starts (March) or ends (October).
sys_seconds eu_switch(int y, unsigned m) {
  const year_month_day last{year_month_day_last{std::chrono::year{y}, month_day_last{std::chrono::month{m}}}};
  const sys_days day{last};
  const weekday wd{day};
  const sys_days sunday = day - days{(wd.c_encoding() + 7) % 7};
  return sys_seconds{sunday} + hours{1};
}

}  // namespace

bool outside_office_hours(const std::string& utc) {
  const auto at = parse_utc(utc);
  if (!at) return false;
  const auto t = time_point_cast<seconds>(*at);
  const int y = static_cast<int>(year_month_day{floor<days>(t)}.year());
  const bool summer = t >= eu_switch(y, 3) && t < eu_switch(y, 10);
  const auto local = t + hours{summer ? 2 : 1};
  const auto day = floor<days>(local);
  const weekday wd{day};
  const auto hour = duration_cast<hours>(local - day).count();
  return wd == Saturday || wd == Sunday || hour < 7 || hour >= 19;
}

const std::vector<ReportInfo>& reports() {
  static const std::vector<ReportInfo> list = {
      {"lookups_without_open_case", "Slagningar utan öppet ärende",
       "Försök att hämta uppgifter utan registrerat öppet ärende, i ett stängt ärende eller om en person utanför "
       "ärendets hushåll. Gatewayn nekar dem; rapporten visar vem som försökte."},
      {"protected_person_lookups", "Slagningar på personer med skyddad identitet",
       "Alla slagningar där personen har skyddade personuppgifter, med handläggare, ärende och partner."},
      {"caseworker_volume", "Volym per handläggare mot egen norm",
       "Dagar då en handläggare gjorde minst tre gånger så många slagningar som sin egen mediandag (och minst tio)."},
      {"out_of_hours", "Användning utanför kontorstid",
       "Slagningar, anvisningar och återsökningar före 07.00, efter 19.00 eller under helg (svensk tid)."},
      {"refusals_by_reason", "Nekade utbyten per skäl",
       "Alla nekade förfrågningar grupperade per händelse och skäl, med antal och senaste tillfälle."},
      {"consent_without_valid_consent", "Samtyckesbaserade utbyten utan giltigt samtycke",
       "Försök till samtyckesbaserade utbyten utan samtycke i kraft (saknas, utanför omfattning, utgånget, "
       "återkallat), och genomförda utbyten som saknar samtycke för någon källa."},
      {"self_authorisation", "Eget ärende, eget samtycke och slagning inom kort tid",
       "Klienter som registrerar ett ärende (eller lägger till personen i ett hushåll), registrerar ett samtycke "
       "och slår upp samma person inom några minuter: mönstret när en klient ger sig själv rätt att hämta "
       "uppgifter. Personen visas inte; posterna pekar ut den."},
  };
  return list;
}

namespace {

// Each report fills in its columns and rows for [since, until).
using ReportRunner = std::expected<void, ReportError> (*)(Store& store, const std::string& since,
                                                          const std::string& until, Report& report);

std::expected<void, ReportError> lookups_without_open_case(Store& store, const std::string& since,
                                                           const std::string& until, Report& report) {
  report.columns = {{"recorded_at", "Tid"}, {"caseworker", "Handläggare"}, {"client", "Klient"},
                    {"case_id", "Ärende"},  {"person", "Person"},          {"reason", "Skäl"},
                    {"seq", "Post"}};
  return scan(store, "lookup", since, until, [&](const IndexedAuditRecord& r) {
    if (r.index.outcome == "refused" && contains(kCaseReasons, r.index.reason)) {
      report.rows.push_back({{"recorded_at", r.record.recorded_at},
                             {"caseworker", r.index.caseworker},
                             {"client", r.index.client},
                             {"case_id", r.index.case_id},
                             {"person", first_person(r)},
                             {"reason", r.index.reason},
                             {"seq", r.record.seq}});
    }
  });
}

std::expected<void, ReportError> protected_person_lookups(Store& store, const std::string& since,
                                                          const std::string& until, Report& report) {
  report.columns = {{"recorded_at", "Tid"}, {"caseworker", "Handläggare"}, {"client", "Klient"},  {"case_id", "Ärende"},
                    {"person", "Person"},   {"partner", "Partner"},        {"outcome", "Utfall"}, {"seq", "Post"}};
  return scan(store, "lookup", since, until, [&](const IndexedAuditRecord& r) {
    if (r.record.kind == "lookup" && body_flag(r, "protected_identity")) {
      report.rows.push_back({{"recorded_at", r.record.recorded_at},
                             {"caseworker", r.index.caseworker},
                             {"client", r.index.client},
                             {"case_id", r.index.case_id},
                             {"person", first_person(r)},
                             {"partner", r.index.partner},
                             {"outcome", r.index.outcome},
                             {"seq", r.record.seq}});
    }
  });
}

double median_of_sorted(const std::vector<int>& counts) {
  return counts.size() % 2 ? counts[counts.size() / 2]
                           : (counts[counts.size() / 2 - 1] + counts[counts.size() / 2]) / 2.0;
}

std::expected<void, ReportError> caseworker_volume(Store& store, const std::string& since, const std::string& until,
                                                   Report& report) {
  report.columns = {
      {"caseworker", "Handläggare"},          {"client", "Klient"}, {"day", "Dag"}, {"lookups", "Slagningar"},
      {"norm", "Egen norm (median per dag)"}, {"ratio", "Kvot"}};
  // (client, caseworker) -> day -> lookups
  std::map<std::pair<std::string, std::string>, std::map<std::string, int>> per_day;
  auto ok = scan(store, "lookup", since, until, [&](const IndexedAuditRecord& r) {
    if (r.record.kind != "lookup" || r.index.caseworker.empty()) return;
    ++per_day[{r.index.client, r.index.caseworker}][r.record.recorded_at.substr(0, 10)];
  });
  if (!ok) return ok;
  for (const auto& [who, days] : per_day) {
    std::vector<int> counts;
    for (const auto& [_, n] : days) counts.push_back(n);
    std::sort(counts.begin(), counts.end());
    const double median = median_of_sorted(counts);
    for (const auto& [day, n] : days) {
      if (n >= kVolumeFloor && n >= kVolumeFactor * median && counts.size() > 1) {
        report.rows.push_back({{"caseworker", who.second},
                               {"client", who.first},
                               {"day", day},
                               {"lookups", n},
                               {"norm", median},
                               {"ratio", median > 0 ? n / median : 0.0}});
      }
    }
  }
  return {};
}

std::expected<void, ReportError> out_of_hours(Store& store, const std::string& since, const std::string& until,
                                              Report& report) {
  report.columns = {{"recorded_at", "Tid (UTC)"},
                    {"kind", "Händelse"},
                    {"caseworker", "Handläggare"},
                    {"client", "Klient"},
                    {"case_id", "Ärende"},
                    {"person", "Person"},
                    {"seq", "Post"}};
  auto& rows = report.rows;
  for (const std::string operation : {"lookup", "referral", "atersokning"}) {
    auto ok = scan(store, operation, since, until, [&](const IndexedAuditRecord& r) {
      const bool exchange =
          r.record.kind == "lookup" || r.record.kind == "referral.accepted" || r.record.kind == "atersokning.requested";
      if (exchange && outside_office_hours(r.record.recorded_at)) {
        rows.push_back({{"recorded_at", r.record.recorded_at},
                        {"kind", r.record.kind},
                        {"caseworker", r.index.caseworker},
                        {"client", r.index.client},
                        {"case_id", r.index.case_id},
                        {"person", first_person(r)},
                        {"seq", r.record.seq}});
      }
    });
    if (!ok) return ok;
  }
  std::sort(rows.begin(), rows.end(), [](const auto& a, const auto& b) { return a["seq"] < b["seq"]; });
  return {};
}

std::expected<void, ReportError> refusals_by_reason(Store& store, const std::string& since, const std::string& until,
                                                    Report& report) {
  report.columns = {{"kind", "Händelse"}, {"reason", "Skäl"}, {"count", "Antal"}, {"latest", "Senast"}};
  std::map<std::pair<std::string, std::string>, std::pair<int, std::string>> groups;
  AuditQuery q;
  q.outcome = "refused";
  q.since = since;
  q.until = until;
  auto ok = store.scan_audit_index(q, /*oldest_first=*/true, [&](const IndexedAuditRecord& r) {
    auto& [count, latest] = groups[{r.record.kind, r.index.reason}];
    ++count;
    latest = r.record.recorded_at;
    return true;
  });
  if (!ok) return std::unexpected(ReportError{"store_unavailable", ok.error().message});
  auto& rows = report.rows;
  for (const auto& [key, value] : groups) {
    rows.push_back({{"kind", key.first}, {"reason", key.second}, {"count", value.first}, {"latest", value.second}});
  }
  std::sort(rows.begin(), rows.end(), [](const auto& a, const auto& b) { return a["count"] > b["count"]; });
  return {};
}

// What is wrong with a lookup under consent, or empty when nothing is.
std::string consent_finding(const IndexedAuditRecord& r) {
  std::string finding;
  if (r.index.outcome == "refused" && contains(kConsentReasons, r.index.reason)) {
    finding = r.index.reason;
  } else if (r.record.kind == "lookup" && body_text(r, "legal_ground") == "consent") {
    // A consent-based answer must name a consent for every source; one without is a finding.
    static const nlohmann::json kNoSources = nlohmann::json::object();
    const nlohmann::json* listed = body_member(r, "sources");
    const nlohmann::json& sources = listed && listed->is_object() ? *listed : kNoSources;
    for (const auto& [source, outcome] : sources.items()) {
      if (!outcome.is_object() || !outcome.contains("consent")) finding = "answered_without_consent:" + source;
    }
  }
  return finding;
}

std::expected<void, ReportError> consent_without_valid_consent(Store& store, const std::string& since,
                                                               const std::string& until, Report& report) {
  report.columns = {
      {"recorded_at", "Tid"}, {"caseworker", "Handläggare"}, {"client", "Klient"},       {"case_id", "Ärende"},
      {"person", "Person"},   {"partner", "Partner"},        {"finding", "Iakttagelse"}, {"seq", "Post"}};
  return scan(store, "lookup", since, until, [&](const IndexedAuditRecord& r) {
    const std::string finding = consent_finding(r);
    if (!finding.empty()) {
      report.rows.push_back({{"recorded_at", r.record.recorded_at},
                             {"caseworker", r.index.caseworker},
                             {"client", r.index.client},
                             {"case_id", r.index.case_id},
                             {"person", first_person(r)},
                             {"partner", r.index.partner},
                             {"finding", finding},
                             {"seq", r.record.seq}});
    }
  });
}

// One step of the self-authorisation pattern: a case registration or update naming the person,
// a consent recorded for them, or an answered lookup about them.
struct Step {
  enum class Kind { case_registered, consent_recorded, lookup } kind;
  std::string client;
  std::string person;
  system_clock::time_point at;
  std::string recorded_at;
  std::int64_t seq = 0;
  std::string case_id;
  std::string partner;
};

std::optional<Step> self_authorisation_step(const IndexedAuditRecord& r) {
  Step step;
  const std::string& kind = r.record.kind;
  if (kind == "case.registered" || kind == "case.updated") {
    step.kind = Step::Kind::case_registered;
  } else if (kind == "consent.recorded") {
    step.kind = Step::Kind::consent_recorded;
  } else if (kind == "lookup") {
    step.kind = Step::Kind::lookup;
  } else {
    return std::nullopt;
  }
  const auto at = parse_utc(r.record.recorded_at);
  if (!at || r.index.client.empty()) return std::nullopt;
  step.client = r.index.client;
  step.at = *at;
  step.recorded_at = r.record.recorded_at;
  step.seq = r.record.seq;
  step.case_id = r.index.case_id;
  step.partner = r.index.partner;
  return step;
}

// The case registration and consent of one client about one person, latest first seen.
struct Groundwork {
  std::optional<Step> case_registered;
  std::optional<Step> consent_recorded;
};

// A client that registers a case, records a consent and looks the person up within minutes has
// vouched for its own access: that is what the grants allow, so only the log can show it. The
// person is not shown (this report is read and exported widely); the seqs point to the records.
std::expected<void, ReportError> self_authorisation(Store& store, const std::string& since, const std::string& until,
                                                    const ReportSettings& settings, Report& report) {
  report.columns = {{"recorded_at", "Tid (slagning)"},
                    {"client", "Klient"},
                    {"case_id", "Ärende"},
                    {"partner", "Partner"},
                    {"minutes", "Minuter från första steget"},
                    {"case_seq", "Post (ärende)"},
                    {"consent_seq", "Post (samtycke)"},
                    {"seq", "Post (slagning)"}};
  // The groundwork for a lookup early in the period may lie just before it.
  const auto from = parse_utc(since);
  const std::string scan_since = from ? format_utc(*from - settings.self_authorisation_window) : since;
  std::vector<std::pair<Step, std::vector<std::string>>> steps;
  for (const std::string operation : {"case", "consent", "lookup"}) {
    auto ok = scan(store, operation, scan_since, until, [&](const IndexedAuditRecord& r) {
      if (auto step = self_authorisation_step(r)) steps.emplace_back(std::move(*step), r.index.persons);
    });
    if (!ok) return ok;
  }
  std::sort(steps.begin(), steps.end(), [](const auto& a, const auto& b) { return a.first.seq < b.first.seq; });
  // (client, person) -> what the client did about the person so far
  std::map<std::pair<std::string, std::string>, Groundwork> seen;
  for (const auto& [step, persons] : steps) {
    for (const std::string& person : persons) {
      Groundwork& g = seen[{step.client, person}];
      if (step.kind == Step::Kind::case_registered) {
        g.case_registered = step;
        continue;
      }
      if (step.kind == Step::Kind::consent_recorded) {
        g.consent_recorded = step;
        continue;
      }
      if (!g.case_registered || !g.consent_recorded || (from && step.at < *from)) continue;
      const auto first = std::min(g.case_registered->at, g.consent_recorded->at);
      if (step.at - first > settings.self_authorisation_window) continue;
      report.rows.push_back({{"recorded_at", step.recorded_at},
                             {"client", step.client},
                             {"case_id", step.case_id},
                             {"partner", step.partner},
                             {"minutes", duration_cast<minutes>(step.at - first).count()},
                             {"case_seq", g.case_registered->seq},
                             {"consent_seq", g.consent_recorded->seq},
                             {"seq", step.seq}});
    }
  }
  return {};
}

// Keyed by the names reports() lists.
const std::map<std::string, ReportRunner>& report_runners() {
  static const std::map<std::string, ReportRunner> runners = {
      {"lookups_without_open_case", lookups_without_open_case},
      {"protected_person_lookups", protected_person_lookups},
      {"caseworker_volume", caseworker_volume},
      {"out_of_hours", out_of_hours},
      {"refusals_by_reason", refusals_by_reason},
      {"consent_without_valid_consent", consent_without_valid_consent},
  };
  return runners;
}

}  // namespace

std::expected<Report, ReportError> run_report(Store& store, const std::string& name, const std::string& since,
                                              const std::string& until, const ReportSettings& settings) {
  const auto& list = reports();
  const auto info = std::find_if(list.begin(), list.end(), [&](const ReportInfo& r) { return r.name == name; });
  if (info == list.end()) return std::unexpected(ReportError{"unknown_report", "no report has this name"});
  Report report{*info, since, until, {}, {}};
  if (name == "self_authorisation") {
    if (auto ok = self_authorisation(store, since, until, settings, report); !ok) return std::unexpected(ok.error());
    return report;
  }
  const auto& runners = report_runners();
  if (const auto runner = runners.find(name); runner != runners.end()) {
    if (auto ok = runner->second(store, since, until, report); !ok) return std::unexpected(ok.error());
  }
  return report;
}

}  // namespace knutpunkt::audit_review
