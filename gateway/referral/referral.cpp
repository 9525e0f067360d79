#include "referral/referral.h"

namespace knutpunkt {

const std::set<std::string>& forsorjningshinder_codes() {
  static const std::set<std::string> codes{
      "ARBETSLOS_INGEN_ERSATTNING",
      "ARBETSLOS_OTILLRACKLIG_ERSATTNING",
      "ARBETSLOS_VANTAR_ERSATTNING",
      "SJUKSKRIVEN_INGEN_ERSATTNING",
      "SJUKSKRIVEN_OTILLRACKLIG_ERSATTNING",
      "SJUKSKRIVEN_VANTAR_ERSATTNING",
      "ARBETSHINDER_SOCIALA_SKAL",
      "ARBETSHINDER_OHALSA",
      "FORALDRALEDIG",
      "ARBETAR_OTILLRACKLIG_INKOMST",
      "STUDERANDE_OTILLRACKLIG_INKOMST",
      "OVRIGT",
  };
  return codes;
}

const std::set<std::string>& target_group_codes() {
  static const std::set<std::string> codes{
      "ARBETSFOR_DIREKT",         // close to the labour market: job matching
      "ARBETSFOR_STOD",           // able to work with support
      "BEGRANSAD_ARBETSFORMAGA",  // ill health or other limits: rehabilitation first
      "UNGA_VUXNA",               // 18-24 years
      "NYANLAND",                 // after the establishment programme
  };
  return codes;
}

nlohmann::json to_json(const Referral& r) {
  nlohmann::json caseworker = {{"id", r.caseworker.id}};
  if (!r.caseworker.name.empty()) caseworker["name"] = r.caseworker.name;
  if (!r.caseworker.phone.empty()) caseworker["phone"] = r.caseworker.phone;
  nlohmann::json out = {
      {"referral_id", r.referral_id},
      {"client_id", r.client_id},
      {"case_id", r.case_id},
      {"municipality", r.municipality},
      {"unit", r.unit},
      {"district", r.district},
      {"person", {{"person_id", r.person_id}, {"id_kind", r.id_kind}, {"protected_identity", r.protected_identity}}},
      {"caseworker", caseworker},
      {"purpose", r.purpose},
      {"target_group", r.target_group},
      {"forsorjningshinder", r.forsorjningshinder},
      {"extent_hours_per_week", r.extent_hours_per_week},
      {"start_date", r.start_date},
      {"consent_reference", r.consent_reference},
  };
  if (r.ib_part1) {
    out["ib_part1"] = {{"completed_on", r.ib_part1->completed_on}, {"summary", r.ib_part1->summary}};
    if (!r.ib_part1->results.empty()) out["ib_part1"]["results"] = r.ib_part1->results;
  }
  return out;
}

}  // namespace knutpunkt
