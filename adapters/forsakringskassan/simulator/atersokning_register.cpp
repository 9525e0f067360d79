#include "atersokning_register.h"

#include <regex>
#include <set>

#include "core/clock.h"
#include "core/ids.h"
#include "lefi_answer.h"

namespace knutpunkt::fk_simulator {

namespace {

const nlohmann::json* member(const nlohmann::json& object, const char* key) {
  auto it = object.find(key);
  return it == object.end() || it->is_null() ? nullptr : &*it;
}

bool non_empty_string(const nlohmann::json* value, std::size_t max = 256) {
  return value != nullptr && value->is_string() && !value->get_ref<const std::string&>().empty() &&
         value->get_ref<const std::string&>().size() <= max;
}

}  // namespace

std::optional<FieldRefusal> check_atersokning(const nlohmann::json& body) {
  if (!body.is_object()) return FieldRefusal{"", "Begäran är inte ett JSON-objekt"};
  static const std::set<std::string> known = {"atersokningsId", "arendeId", "personnummer", "skyddad",    "formanskod",
                                              "period",         "belopp",   "beslutsdatum", "handlaggare"};
  for (const auto& [key, _] : body.items()) {
    if (!known.contains(key)) return FieldRefusal{"/" + key, "Okänt fält"};
  }
  const auto required_text = [&](const nlohmann::json& object, const char* key, const std::string& field,
                                 std::size_t max) -> std::optional<FieldRefusal> {
    const auto* value = member(object, key);
    if (value == nullptr) return FieldRefusal{field, "Fältet saknas"};
    if (!non_empty_string(value, max)) return FieldRefusal{field, "Fältet ska vara en icke-tom text"};
    return std::nullopt;
  };
  if (auto e = required_text(body, "atersokningsId", "/atersokningsId", 64)) return e;
  if (auto e = required_text(body, "arendeId", "/arendeId", 64)) return e;
  if (auto e = required_text(body, "personnummer", "/personnummer", 12)) return e;
  static const std::regex twelve("[0-9]{12}");
  if (!std::regex_match(body["personnummer"].get<std::string>(), twelve)) {
    return FieldRefusal{"/personnummer", "Personnumret ska ha tolv siffror"};
  }
  const auto* skyddad = member(body, "skyddad");
  if (skyddad == nullptr) return FieldRefusal{"/skyddad", "Fältet saknas"};
  if (!skyddad->is_boolean()) return FieldRefusal{"/skyddad", "Fältet ska vara true eller false"};
  if (auto e = required_text(body, "formanskod", "/formanskod", 16)) return e;
  if (!is_fk_group(body["formanskod"].get<std::string>())) return FieldRefusal{"/formanskod", "Okänd förmånskod"};

  const auto* period = member(body, "period");
  if (period == nullptr) return FieldRefusal{"/period", "Fältet saknas"};
  if (!period->is_object()) return FieldRefusal{"/period", "Fältet ska vara ett objekt"};
  for (const char* key : {"from", "tom"}) {
    const std::string field = std::string("/period/") + key;
    const auto* day = member(*period, key);
    if (day == nullptr) return FieldRefusal{field, "Fältet saknas"};
    if (!day->is_string() || !is_date(day->get<std::string>()))
      return FieldRefusal{field, "Ska vara ett datum (ÅÅÅÅ-MM-DD)"};
  }
  if ((*period)["tom"].get<std::string>() < (*period)["from"].get<std::string>()) {
    return FieldRefusal{"/period/tom", "Periodens tom ligger före from"};
  }

  const auto* belopp = member(body, "belopp");
  if (belopp == nullptr) return FieldRefusal{"/belopp", "Fältet saknas"};
  if (!belopp->is_object()) return FieldRefusal{"/belopp", "Fältet ska vara ett objekt"};
  const auto* varde = member(*belopp, "varde");
  if (varde == nullptr) return FieldRefusal{"/belopp/varde", "Fältet saknas"};
  if (!varde->is_number_integer() || (!varde->is_number_unsigned() && varde->get<std::int64_t>() <= 0)) {
    return FieldRefusal{"/belopp/varde", "Beloppet ska vara ett positivt heltal i öre"};
  }
  const auto* enhet = member(*belopp, "enhet");
  if (enhet == nullptr || *enhet != "ORE") return FieldRefusal{"/belopp/enhet", "Enheten ska vara ORE"};
  const auto* valuta = member(*belopp, "valuta");
  if (valuta == nullptr || *valuta != "SEK") return FieldRefusal{"/belopp/valuta", "Valutan ska vara SEK"};

  const auto* beslutsdatum = member(body, "beslutsdatum");
  if (beslutsdatum == nullptr) return FieldRefusal{"/beslutsdatum", "Fältet saknas"};
  if (!beslutsdatum->is_string() || !is_date(beslutsdatum->get<std::string>())) {
    return FieldRefusal{"/beslutsdatum", "Ska vara ett datum (ÅÅÅÅ-MM-DD)"};
  }
  const auto* handlaggare = member(body, "handlaggare");
  if (handlaggare == nullptr) return FieldRefusal{"/handlaggare", "Fältet saknas"};
  if (!handlaggare->is_object()) return FieldRefusal{"/handlaggare", "Fältet ska vara ett objekt"};
  if (auto e = required_text(*handlaggare, "id", "/handlaggare/id", 64)) return e;
  if (auto e = required_text(*handlaggare, "enhet", "/handlaggare/enhet", 128)) return e;
  return std::nullopt;
}

nlohmann::json felsvar(const FieldRefusal& refusal) {
  auto body = felsvar(refusal.meddelande);
  body["falt"] = refusal.falt;
  return body;
}

Acceptance AtersokningRegister::accept(const std::string& key, const nlohmann::json& body) {
  std::lock_guard lock(mutex_);
  if (auto found = by_key_.find(key); found != by_key_.end()) {
    const auto& entry = entries_[found->second];
    return Acceptance{Verdict::duplicate, entry.reply, entry.claim};
  }
  const std::string id = body["atersokningsId"].get<std::string>();
  if (auto found = by_id_.find(id); found != by_id_.end()) {
    return Acceptance{Verdict::conflict, nlohmann::json(), entries_[found->second].claim};
  }
  Claim claim{.atersokningsId = id,
              .personnummer = body["personnummer"].get<std::string>(),
              .skyddad = body["skyddad"].get<bool>(),
              .formanskod = body["formanskod"].get<std::string>(),
              .from = body["period"]["from"].get<std::string>(),
              .tom = body["period"]["tom"].get<std::string>(),
              .ore = body["belopp"]["varde"].get<std::int64_t>(),
              .notifieringsId = "FKN-" + new_uuid()};
  nlohmann::json reply{{"atersokningsId", id}, {"mottagen", now_utc()}};
  by_key_[key] = entries_.size();
  by_id_[id] = entries_.size();
  entries_.push_back(Entry{claim, key, reply});
  return Acceptance{Verdict::accepted, std::move(reply), std::move(claim)};
}

nlohmann::json AtersokningRegister::list() const {
  std::lock_guard lock(mutex_);
  nlohmann::json out = nlohmann::json::array();
  for (const auto& entry : entries_) {
    out.push_back({{"atersokningsId", entry.claim.atersokningsId},
                   {"idempotencyKey", entry.key},
                   {"formanskod", entry.claim.formanskod},
                   {"period", {{"from", entry.claim.from}, {"tom", entry.claim.tom}}},
                   {"belopp_ore", entry.claim.ore},
                   {"mottagen", entry.reply["mottagen"]},
                   {"notifieringsId", entry.claim.notifieringsId}});
  }
  return out;
}

std::int64_t AtersokningRegister::effects() const {
  std::lock_guard lock(mutex_);
  return static_cast<std::int64_t>(entries_.size());
}

void AtersokningRegister::reset() {
  std::lock_guard lock(mutex_);
  by_key_.clear();
  by_id_.clear();
  entries_.clear();
}

}  // namespace knutpunkt::fk_simulator
