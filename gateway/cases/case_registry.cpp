#include "cases/case_registry.h"

#include "core/clock.h"

namespace knutpunkt {

nlohmann::json to_json(const CaseRecord& c) {
  nlohmann::json out = {{"case_id", c.case_id},     {"status", c.status},       {"unit", c.unit},
                        {"household", c.household}, {"opened_at", c.opened_at}, {"updated_at", c.updated_at}};
  if (!c.closed_at.empty()) out["closed_at"] = c.closed_at;
  if (!c.closure_reason.empty()) out["closure_reason"] = c.closure_reason;
  return out;
}

std::expected<CaseRegistration, StoreError> CaseRegistry::prepare_put(CaseRecord c,
                                                                      std::chrono::system_clock::time_point at) const {
  auto existing = store_.case_file(c.organisation, c.case_id);
  if (!existing) return std::unexpected(existing.error());
  const std::string now = format_utc(at);
  const std::optional<CaseRecord>& before = *existing;
  c.opened_at = before ? before->opened_at : now;
  // Closing stamps the time; reopening clears it; an unchanged status keeps what was there.
  c.closed_at = c.status == "closed" ? (before && !before->closed_at.empty() ? before->closed_at : now) : "";
  c.updated_at = now;
  if (c.status != "closed") c.closure_reason.clear();
  CaseRegistration out{c, !before, false, {}};
  out.closing = c.status == "closed" && before && before->status != "closed";
  nlohmann::json record = to_json(c);
  record["client"] = c.client_id;
  record["organisation"] = c.organisation;
  if (before) record["previous"] = to_json(*before);
  out.write = {out.created ? "case.registered" : "case.updated", std::move(record), {store_write::PutCase{c}}};
  return out;
}

std::expected<std::optional<CaseRecord>, StoreError> CaseRegistry::find(const std::string& organisation,
                                                                        const std::string& case_id) const {
  return store_.case_file(organisation, case_id);
}

}  // namespace knutpunkt
