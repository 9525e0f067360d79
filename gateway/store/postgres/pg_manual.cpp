#include "store/postgres/pg_manual.h"

namespace knutpunkt::pg {

std::string_view manual_schema() {
  return R"sql(
    -- Exchanges held for an operator (a protected person's referral). Never deleted: resolving
    -- one records who handled it and when.
    CREATE TABLE manual_item (
      item_id     text COLLATE "C" PRIMARY KEY,
      kind        text NOT NULL,
      reference   text NOT NULL,
      client_id   text NOT NULL,
      case_id     text NOT NULL,
      destination text NOT NULL,
      reason      text NOT NULL,
      created_at  text COLLATE "C" NOT NULL,
      status      text NOT NULL CHECK (status IN ('open', 'resolved')),
      resolved_at text NOT NULL DEFAULT '',
      resolved_by text NOT NULL DEFAULT '',
      note        text NOT NULL DEFAULT ''
    );
    CREATE INDEX manual_item_status ON manual_item (status, created_at, item_id);
    CREATE INDEX manual_item_order ON manual_item (created_at, item_id);
  )sql";
}

namespace {

constexpr std::string_view kManualColumns =
    "item_id, kind, reference, client_id, case_id, destination, reason, created_at, status, resolved_at, "
    "resolved_by, note";

ManualItem read_manual_item(const Result& r, int row) {
  ManualItem m;
  m.item_id = r.text(row, 0);
  m.kind = r.text(row, 1);
  m.reference = r.text(row, 2);
  m.client_id = r.text(row, 3);
  m.case_id = r.text(row, 4);
  m.destination = r.text(row, 5);
  m.reason = r.text(row, 6);
  m.created_at = r.text(row, 7);
  m.status = r.text(row, 8);
  m.resolved_at = r.text(row, 9);
  m.resolved_by = r.text(row, 10);
  m.note = r.text(row, 11);
  return m;
}

}  // namespace

std::expected<void, StoreError> apply(Connection& c, const store_write::PutManualItem& w) {
  const ManualItem& m = w.item;
  return c.run(
      "INSERT INTO manual_item (item_id, kind, reference, client_id, case_id, destination, reason, created_at, "
      "status) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 'open')",
      Params()
          .add(m.item_id)
          .add(m.kind)
          .add(m.reference)
          .add(m.client_id)
          .add(m.case_id)
          .add(m.destination)
          .add(m.reason)
          .add(m.created_at),
      "store manual item");
}

std::expected<void, StoreError> apply(Connection& c, const store_write::ResolveManualItem& w) {
  // The first resolution counts; a repeat changes nothing.
  return c.run(
      "UPDATE manual_item SET status = 'resolved', resolved_at = $2, resolved_by = $3, note = $4 "
      "WHERE item_id = $1 AND status = 'open'",
      Params().add(w.item_id).add(w.resolved_at).add(w.resolved_by).add(w.note), "resolve manual item");
}

std::expected<std::vector<ManualItem>, StoreError> manual_items(Connection& c, const std::string& status,
                                                                const std::string& after_created_at,
                                                                const std::string& after_id, int limit) {
  auto r = c.query("SELECT " + std::string(kManualColumns) +
                       " FROM manual_item WHERE ($1 = '' OR status = $1) "
                       "AND (created_at, item_id) > ($2::text COLLATE \"C\", $3::text COLLATE \"C\") "
                       "ORDER BY created_at, item_id LIMIT $4",
                   Params().add(status).add(after_created_at).add(after_id).limit(limit), "read manual items");
  if (!r) return std::unexpected(r.error());
  std::vector<ManualItem> items;
  for (int i = 0; i < r->rows(); ++i) items.push_back(read_manual_item(*r, i));
  return items;
}

std::expected<std::optional<ManualItem>, StoreError> manual_item(Connection& c, const std::string& item_id) {
  auto r = c.query("SELECT " + std::string(kManualColumns) + " FROM manual_item WHERE item_id = $1",
                   Params().add(item_id), "read manual item");
  if (!r) return std::unexpected(r.error());
  if (r->rows() == 0) return std::nullopt;
  return read_manual_item(*r, 0);
}

}  // namespace knutpunkt::pg
