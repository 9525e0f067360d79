#include "store/postgres/pg_sip.h"

#include "store/postgres/pg_json.h"

namespace knutpunkt::pg {

std::string_view sip_schema() {
  return R"sql(
    -- SIP plans (2 kap. 7 § SoL, 16 kap. 4 § HSL): the current version with what plans are
    -- looked up by. status is not CHECKed: the plan's states belong to gateway/sip/.
    CREATE TABLE sip_plan (
      plan_id            text COLLATE "C" PRIMARY KEY,
      client_id          text NOT NULL,
      case_id            text NOT NULL,
      person_id          text NOT NULL,
      consent_id         text NOT NULL,
      status             text NOT NULL,
      version            integer NOT NULL,
      initiated_at       text COLLATE "C" NOT NULL,
      updated_at         text NOT NULL,
      meeting_at         text NOT NULL DEFAULT '',
      followup_due       text NOT NULL DEFAULT '',
      protected_identity boolean NOT NULL,
      plan               text NOT NULL
    );
    -- A consent's withdrawal reaches every plan recorded under it.
    CREATE INDEX sip_plan_consent ON sip_plan (consent_id);
    -- The reminder scan reads open plans oldest first; closed plans pile up and are skipped.
    CREATE INDEX sip_plan_open ON sip_plan (initiated_at, plan_id) WHERE status <> 'closed';
    -- Versions are evidence of what was agreed when: never changed, never replaced. The primary
    -- key is what stops two instances that both changed version n from both storing n + 1.
    CREATE TABLE sip_plan_version (
      plan_id     text NOT NULL,
      version     integer NOT NULL,
      plan        text NOT NULL,
      recorded_at text NOT NULL,
      PRIMARY KEY (plan_id, version)
    );
    CREATE FUNCTION sip_plan_version_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      RAISE EXCEPTION 'sip_plan_version is append-only';
    END $$;
    CREATE TRIGGER sip_plan_version_no_update BEFORE UPDATE ON sip_plan_version
      FOR EACH ROW EXECUTE FUNCTION sip_plan_version_append_only();
    CREATE TABLE sip_reminder (
      plan_id   text NOT NULL,
      kind      text NOT NULL,
      key       text NOT NULL,
      raised_at text NOT NULL,
      PRIMARY KEY (plan_id, kind, key)
    );
  )sql";
}

namespace {

constexpr std::string_view kSipPlanColumns =
    "plan_id, client_id, case_id, person_id, consent_id, status, version, initiated_at, updated_at, meeting_at, "
    "followup_due, protected_identity, plan";

SipPlanRecord read_sip_plan(const Result& r, int row) {
  SipPlanRecord p;
  p.plan_id = r.text(row, 0);
  p.client_id = r.text(row, 1);
  p.case_id = r.text(row, 2);
  p.person_id = r.text(row, 3);
  p.consent_id = r.text(row, 4);
  p.status = r.text(row, 5);
  p.version = r.int32(row, 6);
  p.initiated_at = r.text(row, 7);
  p.updated_at = r.text(row, 8);
  p.meeting_at = r.text(row, 9);
  p.followup_due = r.text(row, 10);
  p.protected_identity = r.boolean(row, 11);
  p.plan = decode_json(r.text(row, 12));
  return p;
}

std::expected<std::vector<SipPlanRecord>, StoreError> plans(Connection& c, const std::string& sql, const Params& params,
                                                            std::string_view doing) {
  auto r = c.query(sql, params, doing);
  if (!r) return std::unexpected(r.error());
  std::vector<SipPlanRecord> list;
  for (int i = 0; i < r->rows(); ++i) list.push_back(read_sip_plan(*r, i));
  return list;
}

}  // namespace

std::expected<void, StoreError> apply(Connection& c, const store_write::PutSipPlan& w) {
  const SipPlanRecord& p = w.record;
  auto plan = encode_json(p.plan);
  if (!plan) return std::unexpected(plan.error());
  auto current =
      c.run("INSERT INTO sip_plan (" + std::string(kSipPlanColumns) +
                ") VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13) "
                "ON CONFLICT (plan_id) DO UPDATE SET client_id = excluded.client_id, case_id = excluded.case_id, "
                "person_id = excluded.person_id, consent_id = excluded.consent_id, status = excluded.status, "
                "version = excluded.version, initiated_at = excluded.initiated_at, updated_at = excluded.updated_at, "
                "meeting_at = excluded.meeting_at, followup_due = excluded.followup_due, "
                "protected_identity = excluded.protected_identity, plan = excluded.plan",
            Params()
                .add(p.plan_id)
                .add(p.client_id)
                .add(p.case_id)
                .add(p.person_id)
                .add(p.consent_id)
                .add(p.status)
                .add(p.version)
                .add(p.initiated_at)
                .add(p.updated_at)
                .add(p.meeting_at)
                .add(p.followup_due)
                .add(p.protected_identity)
                .add(*plan),
            "store sip plan");
  if (!current) return current;
  // A plain INSERT: a version already stored is a conflict that fails the commit, never an
  // overwrite (two changes made from the same version must not both land).
  return c.run("INSERT INTO sip_plan_version (plan_id, version, plan, recorded_at) VALUES ($1, $2, $3, $4)",
               Params().add(p.plan_id).add(p.version).add(*plan).add(p.updated_at), "store sip plan version");
}

std::expected<void, StoreError> apply(Connection& c, const store_write::PutSipReminder& w) {
  // The first raising is kept: when the reminder was raised. Raising it again changes nothing
  // and is no failure, from this instance or another.
  return c.run(
      "INSERT INTO sip_reminder (plan_id, kind, key, raised_at) VALUES ($1, $2, $3, $4) "
      "ON CONFLICT (plan_id, kind, key) DO NOTHING",
      Params().add(w.plan_id).add(w.kind).add(w.key).add(w.raised_at), "store sip reminder");
}

std::expected<std::optional<SipPlanRecord>, StoreError> sip_plan(Connection& c, const std::string& plan_id) {
  auto list = plans(c, "SELECT " + std::string(kSipPlanColumns) + " FROM sip_plan WHERE plan_id = $1",
                    Params().add(plan_id), "read sip plan");
  if (!list) return std::unexpected(list.error());
  if (list->empty()) return std::nullopt;
  return std::move(list->front());
}

std::expected<std::optional<nlohmann::json>, StoreError> sip_plan_version(Connection& c, const std::string& plan_id,
                                                                          int version) {
  auto r = c.query("SELECT plan FROM sip_plan_version WHERE plan_id = $1 AND version = $2",
                   Params().add(plan_id).add(version), "read sip plan version");
  if (!r) return std::unexpected(r.error());
  if (r->rows() == 0) return std::nullopt;
  return decode_json(r->text(0, 0));
}

std::expected<std::vector<SipPlanRecord>, StoreError> sip_plans_with_consent(Connection& c,
                                                                             const std::string& consent_id) {
  return plans(
      c,
      "SELECT " + std::string(kSipPlanColumns) + " FROM sip_plan WHERE consent_id = $1 ORDER BY initiated_at, plan_id",
      Params().add(consent_id), "read sip plans of a consent");
}

std::expected<std::vector<SipPlanRecord>, StoreError> open_sip_plans(Connection& c, const std::string& after_plan_id,
                                                                     int limit) {
  // The cursor is a plan id; its place in the order is its (initiated_at, plan_id), read from
  // the table, so a plan that closed since it was returned still marks where the page ended.
  // An unknown cursor matches nothing rather than starting over.
  return plans(c,
               "SELECT " + std::string(kSipPlanColumns) +
                   " FROM sip_plan WHERE status <> 'closed' AND ($1 = '' OR (initiated_at, plan_id) > "
                   "(SELECT initiated_at, plan_id FROM sip_plan WHERE plan_id = $1)) "
                   "ORDER BY initiated_at, plan_id LIMIT $2",
               Params().add(after_plan_id).limit(limit), "read open sip plans");
}

std::expected<bool, StoreError> sip_reminder_raised(Connection& c, const std::string& plan_id, const std::string& kind,
                                                    const std::string& key) {
  auto r = c.query("SELECT 1 FROM sip_reminder WHERE plan_id = $1 AND kind = $2 AND key = $3",
                   Params().add(plan_id).add(kind).add(key), "read sip reminder");
  if (!r) return std::unexpected(r.error());
  return r->rows() > 0;
}

}  // namespace knutpunkt::pg
