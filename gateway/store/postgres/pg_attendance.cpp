#include "store/postgres/pg_attendance.h"

#include "store/postgres/pg_json.h"

namespace knutpunkt::pg {

std::string attendance_schema() {
  return R"sql(
    -- Attendance Jobbtorg reported on referrals. A day is kept as last reported, so the same day
    -- sent again in a later report is recognised and a changed one becomes a correction (version
    -- one more) rather than a second day. A month counts its days' changes; a summary covers the
    -- changes it saw, so a change after it makes the next revision due. Summaries are evidence
    -- of what a decision on försörjningsstöd could rest on: never changed.
    CREATE TABLE attendance_day (
      referral_id        text COLLATE "C" NOT NULL,
      date               text COLLATE "C" NOT NULL,
      month              text COLLATE "C" NOT NULL,
      version            integer NOT NULL,
      partner_version    bigint NOT NULL,
      day                text NOT NULL,
      partner_message_id text NOT NULL,
      recorded_at        text NOT NULL,
      PRIMARY KEY (referral_id, date)
    );
    CREATE INDEX attendance_day_month ON attendance_day (referral_id, month, date);
    CREATE TABLE attendance_month (
      referral_id        text COLLATE "C" NOT NULL,
      month              text COLLATE "C" NOT NULL,
      changes            integer NOT NULL,
      summarised_changes integer NOT NULL DEFAULT 0,
      summary_revision   integer NOT NULL DEFAULT 0,
      absence_flagged_at text NOT NULL DEFAULT '',
      PRIMARY KEY (referral_id, month)
    );
    -- The summary scan reads only months with changes no summary covers.
    CREATE INDEX attendance_month_unsummarised ON attendance_month (referral_id, month)
      WHERE changes > summarised_changes;
    CREATE TABLE attendance_summary (
      referral_id text COLLATE "C" NOT NULL,
      month       text COLLATE "C" NOT NULL,
      revision    integer NOT NULL,
      summary     text NOT NULL,
      raised_at   text NOT NULL,
      PRIMARY KEY (referral_id, month, revision)
    );
    CREATE FUNCTION attendance_summary_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      RAISE EXCEPTION 'attendance_summary is append-only';
    END $$;
    CREATE TRIGGER attendance_summary_no_update BEFORE UPDATE ON attendance_summary
      FOR EACH ROW EXECUTE FUNCTION attendance_summary_append_only();
  )sql";
}

namespace {

constexpr std::string_view kMonthColumns =
    "referral_id, month, changes, summarised_changes, summary_revision, absence_flagged_at";

std::expected<std::vector<AttendanceMonthRecord>, StoreError> months(Connection& c, const std::string& sql,
                                                                     const Params& params) {
  auto r = c.query(sql, params, "read attendance months");
  if (!r) return std::unexpected(r.error());
  std::vector<AttendanceMonthRecord> list;
  for (int i = 0; i < r->rows(); ++i) {
    list.push_back(AttendanceMonthRecord{r->text(i, 0), r->text(i, 1), r->int32(i, 2), r->int32(i, 3), r->int32(i, 4),
                                         r->text(i, 5)});
  }
  return list;
}

}  // namespace

std::expected<void, StoreError> apply(Connection& c, const store_write::PutAttendanceDay& w) {
  const AttendanceDayRecord& d = w.day;
  auto day = encode_json(d.day);
  if (!day) return std::unexpected(day.error());
  const std::string month = d.date.substr(0, 7);
  auto stored = c.run(
      "INSERT INTO attendance_day (referral_id, date, month, version, partner_version, day, partner_message_id, "
      "recorded_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) "
      "ON CONFLICT (referral_id, date) DO UPDATE SET version = excluded.version, "
      "partner_version = excluded.partner_version, day = excluded.day, "
      "partner_message_id = excluded.partner_message_id, recorded_at = excluded.recorded_at",
      Params()
          .add(d.referral_id)
          .add(d.date)
          .add(month)
          .add(d.version)
          .add(d.partner_version)
          .add(*day)
          .add(d.partner_message_id)
          .add(d.recorded_at),
      "store attendance day");
  if (!stored) return stored;
  return c.run(
      "INSERT INTO attendance_month (referral_id, month, changes) VALUES ($1, $2, 1) "
      "ON CONFLICT (referral_id, month) DO UPDATE SET changes = attendance_month.changes + 1",
      Params().add(d.referral_id).add(month), "count attendance change");
}

std::expected<void, StoreError> apply(Connection& c, const store_write::PutAttendanceSummary& w) {
  const AttendanceSummaryRecord& r = w.summary;
  auto summary = encode_json(r.summary);
  if (!summary) return std::unexpected(summary.error());
  // A plain INSERT: a revision stored already is a conflict that fails the commit.
  auto stored = c.run(
      "INSERT INTO attendance_summary (referral_id, month, revision, summary, raised_at) VALUES ($1, $2, $3, $4, $5)",
      Params().add(r.referral_id).add(r.month).add(r.revision).add(*summary).add(r.raised_at),
      "store attendance summary");
  if (!stored) return stored;
  return c.run(
      "INSERT INTO attendance_month (referral_id, month, changes, summarised_changes, summary_revision) "
      "VALUES ($1, $2, $3, $3, $4) ON CONFLICT (referral_id, month) DO UPDATE SET "
      "summarised_changes = GREATEST(attendance_month.summarised_changes, excluded.summarised_changes), "
      "summary_revision = GREATEST(attendance_month.summary_revision, excluded.summary_revision)",
      Params().add(r.referral_id).add(r.month).add(w.covers_changes).add(r.revision), "record attendance summary");
}

std::expected<void, StoreError> apply(Connection& c, const store_write::PutAbsenceFlag& w) {
  return c.run(
      "INSERT INTO attendance_month (referral_id, month, changes, absence_flagged_at) VALUES ($1, $2, 0, $3) "
      "ON CONFLICT (referral_id, month) DO UPDATE SET absence_flagged_at = excluded.absence_flagged_at",
      Params().add(w.referral_id).add(w.month).add(w.flagged_at), "flag absence");
}

std::expected<void, StoreError> apply(Connection& c, const store_write::WithdrawAbsenceFlag& w) {
  // Another flag, or none, is refused before it gets here (pg_conflict): the commit fails.
  return c.run(
      "UPDATE attendance_month SET absence_flagged_at = '' WHERE referral_id = $1 AND month = $2 "
      "AND absence_flagged_at = $3",
      Params().add(w.referral_id).add(w.month).add(w.flagged_at), "withdraw absence flag");
}

std::expected<std::vector<AttendanceDayRecord>, StoreError> attendance_days(Connection& c,
                                                                            const std::string& referral_id,
                                                                            const std::string& month) {
  auto r = c.query(
      "SELECT referral_id, date, version, partner_version, day, partner_message_id, recorded_at "
      "FROM attendance_day WHERE referral_id = $1 AND month = $2 ORDER BY date",
      Params().add(referral_id).add(month), "read attendance days");
  if (!r) return std::unexpected(r.error());
  std::vector<AttendanceDayRecord> list;
  for (int i = 0; i < r->rows(); ++i) {
    list.push_back(AttendanceDayRecord{r->text(i, 0), r->text(i, 1), r->int32(i, 2), r->int64(i, 3),
                                       decode_json(r->text(i, 4)), r->text(i, 5), r->text(i, 6)});
  }
  return list;
}

std::expected<std::optional<AttendanceMonthRecord>, StoreError> attendance_month(Connection& c,
                                                                                 const std::string& referral_id,
                                                                                 const std::string& month) {
  auto list =
      months(c, "SELECT " + std::string(kMonthColumns) + " FROM attendance_month WHERE referral_id = $1 AND month = $2",
             Params().add(referral_id).add(month));
  if (!list) return std::unexpected(list.error());
  if (list->empty()) return std::nullopt;
  return std::move(list->front());
}

std::expected<std::vector<AttendanceMonthRecord>, StoreError> attendance_months_to_summarise(
    Connection& c, const std::string& through_month, const std::string& after_referral_id,
    const std::string& after_month, int limit) {
  return months(c,
                "SELECT " + std::string(kMonthColumns) +
                    " FROM attendance_month WHERE changes > summarised_changes AND month <= $1 "
                    "AND (referral_id, month) > ($2, $3) ORDER BY referral_id, month LIMIT $4",
                Params().add(through_month).add(after_referral_id).add(after_month).limit(limit));
}

std::expected<std::vector<AttendanceMonthRecord>, StoreError> attendance_months_of(Connection& c,
                                                                                   const std::string& referral_id) {
  return months(c,
                "SELECT " + std::string(kMonthColumns) + " FROM attendance_month WHERE referral_id = $1 ORDER BY month",
                Params().add(referral_id));
}

std::expected<std::optional<AttendanceSummaryRecord>, StoreError> attendance_summary(Connection& c,
                                                                                     const std::string& referral_id,
                                                                                     const std::string& month) {
  auto r = c.query(
      "SELECT referral_id, month, revision, summary, raised_at FROM attendance_summary "
      "WHERE referral_id = $1 AND month = $2 ORDER BY revision DESC LIMIT 1",
      Params().add(referral_id).add(month), "read attendance summary");
  if (!r) return std::unexpected(r.error());
  if (r->rows() == 0) return std::nullopt;
  return AttendanceSummaryRecord{r->text(0, 0), r->text(0, 1), r->int32(0, 2), decode_json(r->text(0, 3)),
                                 r->text(0, 4)};
}

}  // namespace knutpunkt::pg
