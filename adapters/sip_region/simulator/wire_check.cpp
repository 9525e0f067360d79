#include "wire_check.h"

#include <algorithm>
#include <initializer_list>
#include <string_view>

namespace knutpunkt::sip_region_simulator {
namespace {

using nlohmann::json;

bool non_empty_string(const json& object, const char* key) {
  auto it = object.find(key);
  return it != object.end() && it->is_string() && !it->get_ref<const std::string&>().empty();
}

void require_text(std::vector<FieldError>& errors, const json& object, const std::string& pointer,
                  std::initializer_list<const char*> keys) {
  for (const char* key : keys) {
    if (!non_empty_string(object, key)) errors.push_back({pointer + "/" + key, "saknas eller är inte en text"});
  }
}

void check_plan(std::vector<FieldError>& errors, const json& body) {
  auto plan = body.find("plan");
  if (plan == body.end() || !plan->is_object()) {
    errors.push_back({"/plan", "saknas"});
    return;
  }
  if (plan->value("planId", json()) != body.value("planId", json())) errors.push_back({"/plan/planId", "skiljer sig från planId"});
  if (plan->value("version", json()) != body.value("planversion", json()))
    errors.push_back({"/plan/version", "skiljer sig från planversion"});
  for (const char* key : {"person", "samtycke"}) {
    if (!plan->contains(key) || !(*plan)[key].is_object()) errors.push_back({std::string("/plan/") + key, "saknas"});
  }
  if (plan->contains("person") && (*plan)["person"].is_object()) require_text(errors, (*plan)["person"], "/plan/person", {"identitet", "identitetstyp"});
  for (const char* key : {"deltagare", "behov", "mal", "insatser", "andrasAtgarder", "historik"}) {
    if (!plan->contains(key) || !(*plan)[key].is_array()) errors.push_back({std::string("/plan/") + key, "saknas eller är inte en lista"});
  }
  require_text(errors, *plan, "/plan", {"status", "samordnare", "initierad"});
  // Skyddade personuppgifter: no place at all, however harmless it looks.
  if (body.value("skyddadePersonuppgifter", false)) {
    auto mote = plan->find("mote");
    if (mote != plan->end() && mote->is_object() && mote->contains("plats"))
      errors.push_back({"/plan/mote/plats", "får inte finnas för en person med skyddade personuppgifter"});
  }
}

}  // namespace

std::string gateway_type(const std::string& meddelandetyp) {
  static const std::pair<std::string_view, std::string_view> kTypes[] = {
      {"KALLELSE", "sip.invitation"},
      {"PLANUPPDATERING", "sip.plan_updated"},
      {"DELTAGARE_BORTTAGEN", "sip.participant_removed"},
      {"SAMTYCKE_ATERKALLAT", "sip.consent_withdrawn"},
      {"PLAN_AVSLUTAD", "sip.closed"},
      {"UPPFOLJNING_FORFALLER", "sip.followup_due"}};
  for (const auto& [wire, internal] : kTypes) {
    if (wire == meddelandetyp) return std::string(internal);
  }
  return {};
}

std::vector<FieldError> check_message(Endpoint endpoint, const json& body, const std::string& path_plan_id) {
  std::vector<FieldError> errors;
  if (!body.is_object()) return {{"", "meddelandet ska vara ett JSON-objekt"}};
  require_text(errors, body, "", {"meddelandeId", "meddelandetyp", "planId", "skapad"});
  if (!body.contains("planversion") || !body["planversion"].is_number_integer() || body["planversion"].get<long long>() < 1)
    errors.push_back({"/planversion", "ska vara ett heltal, minst 1"});
  for (const char* party : {"avsandare", "mottagare"}) {
    if (!body.contains(party) || !body[party].is_object()) {
      errors.push_back({std::string("/") + party, "saknas"});
      continue;
    }
    require_text(errors, body[party], std::string("/") + party, {"organisation", "deltagarId"});
  }
  if (!errors.empty()) return errors;
  if (!path_plan_id.empty() && body["planId"].get<std::string>() != path_plan_id)
    errors.push_back({"/planId", "skiljer sig från planId i sökvägen"});

  const std::string typ = body["meddelandetyp"].get<std::string>();
  const bool notice = typ == "DELTAGARE_BORTTAGEN" || typ == "SAMTYCKE_ATERKALLAT" || typ == "PLAN_AVSLUTAD" ||
                      typ == "UPPFOLJNING_FORFALLER";
  const bool typ_fits = (endpoint == Endpoint::kallelser && typ == "KALLELSE") ||
                        (endpoint == Endpoint::plan && typ == "PLANUPPDATERING") ||
                        (endpoint == Endpoint::meddelanden && notice);
  if (!typ_fits) {
    errors.push_back({"/meddelandetyp", "hör inte till denna adress"});
    return errors;
  }

  if (typ == "SAMTYCKE_ATERKALLAT") {
    // Without content: the envelope and nothing else (12 kap. OSL; README.md).
    for (const auto& [key, _] : body.items()) {
      static const std::string_view kEnvelope[] = {"meddelandeId", "meddelandetyp", "planId", "planversion",
                                                   "skapad",       "avsandare",     "mottagare"};
      if (std::find(std::begin(kEnvelope), std::end(kEnvelope), key) == std::end(kEnvelope))
        errors.push_back({"/" + key, "får inte finnas i ett meddelande om återkallat samtycke"});
    }
    return errors;
  }
  if (!body.contains("skyddadePersonuppgifter") || !body["skyddadePersonuppgifter"].is_boolean())
    errors.push_back({"/skyddadePersonuppgifter", "saknas eller är inte sant/falskt"});
  if (notice) {
    if (body.contains("plan")) errors.push_back({"/plan", "får inte finnas i ett meddelande"});
    if (typ == "PLAN_AVSLUTAD") require_text(errors, body, "", {"orsak"});
    if (typ == "UPPFOLJNING_FORFALLER") require_text(errors, body, "", {"uppfoljningsdatum"});
    return errors;
  }
  check_plan(errors, body);
  return errors;
}

}  // namespace knutpunkt::sip_region_simulator
