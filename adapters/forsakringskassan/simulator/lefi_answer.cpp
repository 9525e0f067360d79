#include "lefi_answer.h"

#include <array>
#include <chrono>
#include <ctime>
#include <regex>
#include <utility>

namespace knutpunkt::fk_simulator {

namespace {

// FK case lists in LefiFormansinformation and the benefit group each belongs to.
constexpr std::array<std::pair<const char*, const char*>, 7> kCaseLists = {{
    {"aktivitetsstodsarende", "FK:AS"},
    {"barnbidragsarende", "FK:ABB"},
    {"bostadsbidragsarende", "FK:BOB"},
    {"foraldrapenningarende", "FK:FP"},
    {"sjukOchAktivitetsersattningsarende", "FK:SA"},
    {"sjukpenningarende", "FK:SJP"},
    {"underhallsstodsmottag", "FK:US"},
}};

const std::set<std::string> kFkGroups = {"FK:ABB", "FK:AP",  "FK:AS",   "FK:BOB", "FK:BST", "FK:BTI", "FK:DPE",
                                         "FK:EJO", "FK:ET",  "FK:FP",   "FK:FSJP", "FK:GP", "FK:HE",  "FK:MABB",
                                         "FK:MEK", "FK:NP",  "FK:OMV",  "FK:PJOB", "FK:PROG", "FK:RBE", "FK:SA",
                                         "FK:SBP", "FK:SJP", "FK:TFP",  "FK:US",  "FK:VB",  "FK:YL"};
const std::set<std::string> kPmGroups = {"PM:AP", "PM:BTI", "PM:EF"};
const std::set<std::string> kOvrigTypes = {"FK:GEPI", "FK:PANV", "FK:SGI", "FK:SKUP",
                                           "FK:STAV", "PM:LINT", "PM:PBH", "PM:PU"};

// LEFI: a period longer than two years is refused. `tom` may be at most the same calendar day two
// years after `from` (29 February rolls to 1 March).
bool longer_than_two_years(const std::string& from, const std::string& tom) {
  const int year = std::stoi(from.substr(0, 4)) + 2;
  std::chrono::year_month_day limit{std::chrono::year{year},
                                    std::chrono::month{static_cast<unsigned>(std::stoi(from.substr(5, 2)))},
                                    std::chrono::day{static_cast<unsigned>(std::stoi(from.substr(8, 2)))}};
  if (!limit.ok()) limit = std::chrono::year_month_day{std::chrono::sys_days{limit}};
  char text[16];
  std::snprintf(text, sizeof text, "%04d-%02u-%02u", static_cast<int>(limit.year()),
                static_cast<unsigned>(limit.month()), static_cast<unsigned>(limit.day()));
  return tom > std::string(text);
}

std::set<std::string> requested(const nlohmann::json& body, const char* key) {
  std::set<std::string> out;
  auto it = body.find(key);
  if (it != body.end() && it->is_array())
    for (const auto& item : *it)
      if (item.is_string()) out.insert(item.get<std::string>());
  return out;
}

std::string text_at(const nlohmann::json& item, const nlohmann::json::json_pointer& pointer) {
  if (!item.contains(pointer)) return {};
  const auto& value = item.at(pointer);
  if (value.is_string()) return value.get<std::string>();
  return value.is_number() ? value.dump() : std::string();  // LefiSifferkod ids are numbers
}

nlohmann::json avvikelse(const std::string& code, const std::string& group, const char* group_key) {
  return {{"avvikelse",
           {{"kod", code},
            {"beskrivning", code == "OBEHORIG" ? "Aktören är inte behörig att ta del av informationen"
                                               : "Delsystemet svarade inte"}}},
          {group_key, {{"kod", group}, {"beskrivning", describe_group(group)}}}};
}

}  // namespace

bool is_fk_group(const std::string& code) { return kFkGroups.contains(code); }

std::string describe_group(const std::string& code) {
  static const std::map<std::string, std::string> names = {
      {"FK:ABB", "Barnbidrag"},        {"FK:AS", "Aktivitetsstöd"},
      {"FK:BOB", "Bostadsbidrag"},     {"FK:FP", "Föräldrapenning"},
      {"FK:SA", "Sjuk- och aktivitetsersättning"}, {"FK:SJP", "Sjukpenning"},
      {"FK:US", "Underhållsstöd"},     {"FK:GEPI", "Generell personinformation"},
      {"PM:AP", "Allmän pension"},     {"PM:EF", "Efterlevandeförmåner"},
      {"PM:LINT", "Levnadsintyg"},     {"PM:PU", "Pensionsunderlag"}};
  auto it = names.find(code);
  return it == names.end() ? code : it->second;
}

bool is_date(const std::string& text) {
  static const std::regex form("[0-9]{4}-[0-9]{2}-[0-9]{2}");
  if (!std::regex_match(text, form)) return false;
  const std::chrono::year_month_day day{std::chrono::year{std::stoi(text.substr(0, 4))},
                                        std::chrono::month{static_cast<unsigned>(std::stoi(text.substr(5, 2)))},
                                        std::chrono::day{static_cast<unsigned>(std::stoi(text.substr(8, 2)))}};
  return day.ok();
}

nlohmann::json felsvar(const std::string& meddelande) {
  const auto now = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now());
  std::tm utc{};
  gmtime_r(&now, &utc);
  char stamp[32];
  std::strftime(stamp, sizeof stamp, "%Y-%m-%dT%H:%M:%SZ", &utc);
  return {{"meddelande", meddelande}, {"timestamp", stamp}};
}

std::expected<Question, Refusal> check_question(const std::string& text, Service service) {
  const auto body = nlohmann::json::parse(text, nullptr, false);
  if (body.is_discarded() || !body.is_object()) return std::unexpected(Refusal{400, "Frågan är inte ett JSON-objekt"});
  Question question;
  question.body = body;
  auto pnr = body.find("personnummer");
  static const std::regex pnr_form("([0-9]{2})?[0-9]{10}");
  if (pnr == body.end() || !pnr->is_string() || !std::regex_match(pnr->get<std::string>(), pnr_form)) {
    return std::unexpected(Refusal{400, "Fältet personnummer saknas eller har fel format"});
  }
  question.personnummer = pnr->get<std::string>();
  auto period = body.find("period");
  if (period == body.end() || !period->is_object()) return std::unexpected(Refusal{400, "Fältet period saknas"});
  auto from = period->find("from");
  auto tom = period->find("tom");
  if (from == period->end() || tom == period->end() || !from->is_string() || !tom->is_string() ||
      !is_date(from->get<std::string>()) || !is_date(tom->get<std::string>())) {
    return std::unexpected(Refusal{400, "Perioden måste ha from och tom som datum (ÅÅÅÅ-MM-DD)"});
  }
  question.from = from->get<std::string>();
  question.tom = tom->get<std::string>();
  if (question.tom < question.from) return std::unexpected(Refusal{400, "Periodens tom ligger före from"});
  if (longer_than_two_years(question.from, question.tom)) {
    return std::unexpected(Refusal{400, "Perioden är längre än två år"});
  }
  if (service == Service::formaner) {
    bool any = false;
    for (const auto& [key, allowed] : std::initializer_list<std::pair<const char*, const std::set<std::string>*>>{
             {"formansinformation", nullptr}, {"ansprak", &kPmGroups}, {"beslut", &kPmGroups},
             {"preliminaraUtbetalningar", nullptr}, {"utbetalningar", nullptr}, {"ovrigInformation", &kOvrigTypes}}) {
      auto it = body.find(key);
      if (it == body.end()) continue;
      if (!it->is_array()) return std::unexpected(Refusal{400, std::string("Fältet ") + key + " måste vara en lista"});
      for (const auto& item : *it) {
        const bool fk_only = std::string(key) == "formansinformation";
        const bool known = item.is_string() &&
                           (allowed != nullptr ? allowed->contains(item.get<std::string>())
                                               : kFkGroups.contains(item.get<std::string>()) ||
                                                     (!fk_only && kPmGroups.contains(item.get<std::string>())));
        if (!known) return std::unexpected(Refusal{400, std::string("Okänd kod i fältet ") + key});
        any = true;
      }
    }
    if (!any) return std::unexpected(Refusal{400, "Ingen förmånsgrupp eller typ av övrig information angiven"});
  }
  return question;
}

const nlohmann::json& find_person(const nlohmann::json& persons, const std::string& personnummer) {
  static const nlohmann::json unknown = nlohmann::json::object();
  if (personnummer.size() == 12) {
    auto it = persons.find(personnummer);
    return it == persons.end() ? unknown : *it;
  }
  // Ten digits: LEFI accepts both forms; the test persons are unambiguous by their last ten.
  for (const auto& [key, value] : persons.items())
    if (key.size() == 12 && key.substr(2) == personnummer) return value;
  return unknown;
}

nlohmann::json formaner_answer(const Question& question, const nlohmann::json& person, const SilentSubsystems& forced) {
  std::set<std::string> silent = forced.classes;
  if (auto it = person.find("delsystem_svarar_ej"); it != person.end())
    for (const auto& item : *it) silent.insert(item.get<std::string>());
  const std::string code = forced.classes.empty() ? "INTERNT_FEL" : forced.code;

  const auto fi = requested(question.body, "formansinformation");
  const auto ansprak = requested(question.body, "ansprak");
  const auto utbetalningar = requested(question.body, "utbetalningar");
  const auto ovrig = requested(question.body, "ovrigInformation");

  nlohmann::json answer{{"utlamnare", nlohmann::json::array()},
                        {"avvikelser", nlohmann::json::object()},
                        {"formansinformation", nlohmann::json::object()}};
  bool asks_pm = !ansprak.empty();
  for (const auto& set : {utbetalningar, ovrig})
    for (const auto& group : set) asks_pm = asks_pm || group.starts_with("PM:");
  answer["utlamnare"].push_back({{"utlamnare", {{"kod", "FK"}, {"namn", "Försäkringskassan"}}},
                                 {"tillstand", {{"kod", "OK"}, {"beskrivning", "Tillgänglig"}}}});
  if (asks_pm) {
    answer["utlamnare"].push_back({{"utlamnare", {{"kod", "PM"}, {"namn", "Pensionsmyndigheten"}}},
                                   {"tillstand", {{"kod", "OK"}, {"beskrivning", "Tillgänglig"}}}});
  }
  auto& avvikelser = answer["avvikelser"];
  auto& info = answer["formansinformation"];
  const auto deviate = [&](const char* cls, const std::set<std::string>& groups, const char* group_key) {
    if (!silent.contains(cls)) return false;
    for (const auto& group : groups) avvikelser[cls].push_back(avvikelse(code, group, group_key));
    return true;
  };

  // Other information: FK:GEPI is the person record, which carries `skyddad`.
  if (!deviate("ovrigInformation", ovrig, "ovrigInformationstyp")) {
    if (ovrig.contains("FK:GEPI") && person.contains("person")) {
      nlohmann::json record = person["person"];
      record["personnummer"] = question.personnummer;
      info["generellPersoninformation"] = nlohmann::json::array({record});
    }
    for (const auto& item : person.value("ovrigInformation", nlohmann::json::array()))
      if (ovrig.contains(text_at(item, "/informationstyp/kod"_json_pointer))) answer["ovrigInformation"].push_back(item);
  }
  // Cases and their decisions, as far as they had begun by the end of the period.
  if (!deviate("formansinformation", fi, "formansgrupp")) {
    const auto cases = person.value("arenden", nlohmann::json::object());
    for (const auto& [list, group] : kCaseLists) {
      if (!fi.contains(group) || !cases.contains(list)) continue;
      for (auto arende : cases[list]) {
        if (arende.value("startades", "") > question.tom) continue;
        nlohmann::json kept = nlohmann::json::array();
        for (const auto& beslut : arende.value("beslut", nlohmann::json::array()))
          if (beslut.value("fattades", "") <= question.tom) kept.push_back(beslut);
        arende["beslut"] = kept;
        info[list].push_back(arende);
      }
    }
  }
  // Payments effected within the period.
  if (!deviate("utbetalningar", utbetalningar, "formansgrupp")) {
    for (const auto& payment : person.value("utbetalningar", nlohmann::json::array())) {
      const std::string prefix = text_at(payment, "/foretag/id"_json_pointer) == "1003" ? "PM:" : "FK:";
      const std::string group = prefix + text_at(payment, "/formansfamilj/id"_json_pointer);
      const std::string datum = payment.value("datum", "");
      if (utbetalningar.contains(group) && datum >= question.from && datum <= question.tom)
        info["utbetalningsuppgift"].push_back(payment);
    }
  }
  if (!deviate("ansprak", ansprak, "formansgrupp")) {
    for (const auto& claim : person.value("ansprak", nlohmann::json::array()))
      if (ansprak.contains(text_at(claim, "/formansgrupp/kod"_json_pointer)) &&
          claim.value("ankomstdatum", "") <= question.tom)
        answer["ansprak"].push_back(claim);
  }
  return answer;
}

nlohmann::json pagaende_answer(const Question& question, const nlohmann::json& person) {
  nlohmann::json answer{{"skyddad", person.contains("person") && person["person"].value("skyddad", false)},
                        {"arenden", nlohmann::json::array()}};
  for (const auto& arende : person.value("pagaende", nlohmann::json::array()))
    if (arende.value("inkom", "") <= question.tom) answer["arenden"].push_back(arende);
  return answer;
}

}  // namespace knutpunkt::fk_simulator
