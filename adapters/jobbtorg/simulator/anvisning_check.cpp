#include "anvisning_check.h"

#include <algorithm>
#include <cctype>
#include <string_view>

#include "report_writer.h"

namespace knutpunkt::jobbtorg_simulator {

namespace {

bool all_digits(std::string_view text) {
  return !text.empty() && std::all_of(text.begin(), text.end(), [](unsigned char c) { return std::isdigit(c) != 0; });
}

// RFC 3339 date-time: YYYY-MM-DDTHH:MM:SS[.fraction](Z|±HH:MM).
bool is_date_time(std::string_view text) {
  if (text.size() < 20 || !parse_date(text.substr(0, 10)) || (text[10] != 'T' && text[10] != 't')) return false;
  const auto time = text.substr(11);
  if (time.size() < 9 || !all_digits(time.substr(0, 2)) || time[2] != ':' || !all_digits(time.substr(3, 2)) ||
      time[5] != ':' || !all_digits(time.substr(6, 2)))
    return false;
  auto rest = time.substr(8);
  if (!rest.empty() && rest.front() == '.') {
    std::size_t digits = 1;
    while (digits < rest.size() && std::isdigit(static_cast<unsigned char>(rest[digits])) != 0) ++digits;
    if (digits == 1) return false;
    rest.remove_prefix(digits);
  }
  if (rest == "Z" || rest == "z") return true;
  return rest.size() == 6 && (rest[0] == '+' || rest[0] == '-') && all_digits(rest.substr(1, 2)) && rest[3] == ':' &&
         all_digits(rest.substr(4, 2));
}

bool is_code(std::string_view text) {
  return !text.empty() && std::isupper(static_cast<unsigned char>(text.front())) != 0 &&
         std::all_of(text.begin(), text.end(),
                     [](unsigned char c) { return std::isupper(c) != 0 || std::isdigit(c) != 0 || c == '_'; });
}

class Checker {
 public:
  explicit Checker(const nlohmann::json& root) : root_(root) {}

  // The member at `pointer`, or null after recording why it is missing.
  const nlohmann::json* member(const std::string& pointer, bool required = true) {
    const nlohmann::json::json_pointer path(pointer);
    if (!root_.contains(path)) {
      if (required) errors.push_back({pointer, "saknas"});
      return nullptr;
    }
    return &root_.at(path);
  }

  const nlohmann::json* object(const std::string& pointer, bool required = true) {
    const auto* value = member(pointer, required);
    if (value != nullptr && !value->is_object()) {
      errors.push_back({pointer, "ska vara ett objekt"});
      return nullptr;
    }
    return value;
  }

  // A string member that must be present (unless optional) and not empty.
  std::string text(const std::string& pointer, bool required = true) {
    const auto* value = member(pointer, required);
    if (value == nullptr) return {};
    if (!value->is_string()) {
      errors.push_back({pointer, "ska vara en sträng"});
      return {};
    }
    auto out = value->get<std::string>();
    if (required && out.empty()) errors.push_back({pointer, "får inte vara tom"});
    return out;
  }

  void date(const std::string& pointer, bool required = true) {
    const auto* value = member(pointer, required);
    if (value == nullptr) return;
    if (!value->is_string() || !parse_date(value->get<std::string>()))
      errors.push_back({pointer, "ska vara ett datum ÅÅÅÅ-MM-DD"});
  }

  // A coded result {item: category}, as in a BEDOMNING or the anvisning's IB part 1: not empty,
  // each item and category a code (upper case, digits, underscore).
  void resultat(const std::string& pointer, bool required = true) {
    const auto* value = object(pointer, required);
    if (value == nullptr) return;
    if (value->empty()) errors.push_back({pointer, "får inte vara tom"});
    for (const auto& [item, category] : value->items()) {
      if (!is_code(item))
        errors.push_back({pointer + "/" + item, "okänd post"});
      else if (!category.is_string() || !is_code(category.get<std::string>()))
        errors.push_back({pointer + "/" + item, "ska vara en kod"});
    }
  }

  std::vector<FieldError> errors;

 private:
  const nlohmann::json& root_;
};

}  // namespace

std::vector<FieldError> check_anvisning(const nlohmann::json& anvisning) {
  if (!anvisning.is_object()) return {{"", "ska vara ett JSON-objekt"}};
  Checker check(anvisning);
  check.text("/meddelandeId");
  check.text("/anvisningsId");
  if (const auto skickad = check.text("/skickad"); !skickad.empty() && !is_date_time(skickad))
    check.errors.push_back({"/skickad", "ska vara en tidpunkt enligt RFC 3339"});
  if (const auto kommunkod = check.text("/kommunkod");
      !kommunkod.empty() && !(kommunkod.size() == 4 && all_digits(kommunkod)))
    check.errors.push_back({"/kommunkod", "ska vara fyra siffror"});
  check.text("/stadsdel");
  if (check.object("/person") != nullptr) {
    // Only the form is checked, and the value is never echoed back or logged.
    if (const auto personnummer = check.text("/person/personnummer");
        !personnummer.empty() && !(personnummer.size() == 12 && all_digits(personnummer)))
      check.errors.push_back({"/person/personnummer", "ska vara tolv siffror (ÅÅÅÅMMDDNNNK)"});
    if (const auto* skyddad = check.member("/person/skyddadIdentitet", false);
        skyddad != nullptr && !skyddad->is_boolean())
      check.errors.push_back({"/person/skyddadIdentitet", "ska vara true eller false"});
  }
  if (check.object("/arende") != nullptr) {
    check.text("/arende/arendeId");
    check.text("/arende/enhet", false);
  }
  if (check.object("/anvisandeHandlaggare") != nullptr) {
    check.text("/anvisandeHandlaggare/id");
    check.text("/anvisandeHandlaggare/namn", false);
    check.text("/anvisandeHandlaggare/telefon", false);
  }
  check.text("/malgrupp", false);
  check.text("/forsorjningshinder");
  if (const auto* omfattning = check.member("/omfattningTimmarPerVecka"); omfattning != nullptr) {
    if (!omfattning->is_number_integer() || omfattning->get<std::int64_t>() < 1 || omfattning->get<std::int64_t>() > 40)
      check.errors.push_back({"/omfattningTimmarPerVecka", "ska vara ett heltal 1..40"});
  }
  check.date("/startdatum");
  check.text("/samtyckesreferens");
  if (check.object("/ibDel1", false) != nullptr) {
    check.date("/ibDel1/genomford", false);
    check.text("/ibDel1/sammanfattning", false);
    check.resultat("/ibDel1/resultat", false);
  }
  return std::move(check.errors);
}

std::vector<FieldError> check_meddelande(const nlohmann::json& meddelande, const std::string& anvisnings_id) {
  if (!meddelande.is_object()) return {{"", "ska vara ett JSON-objekt"}};
  Checker check(meddelande);
  check.text("/meddelandeId");
  if (const auto id = check.text("/anvisningsId"); !id.empty() && id != anvisnings_id)
    check.errors.push_back({"/anvisningsId", "ska vara anvisningen i adressen"});
  if (const auto skickad = check.text("/skickad"); !skickad.empty() && !is_date_time(skickad))
    check.errors.push_back({"/skickad", "ska vara en tidpunkt enligt RFC 3339"});
  const auto version_at_least = [&](std::int64_t least) {
    const auto* version = check.member("/version");
    if (version != nullptr && (!version->is_number_integer() || version->get<std::int64_t>() < least))
      check.errors.push_back({"/version", "ska vara ett heltal, minst " + std::to_string(least)});
  };
  const auto typ = check.text("/typ");
  if (typ == "ANVISNING_ANDRAD") {
    version_at_least(2);
    const auto* andringar = check.object("/andringar");
    if (andringar != nullptr && andringar->empty()) check.errors.push_back({"/andringar", "får inte vara tom"});
    if (andringar != nullptr) {
      for (const auto& [key, _] : andringar->items()) {
        if (key != "omfattningTimmarPerVecka" && key != "startdatum" && key != "malgrupp" &&
            key != "anvisandeHandlaggare")
          check.errors.push_back({"/andringar/" + key, "kan inte ändras"});
      }
      if (const auto* omfattning = check.member("/andringar/omfattningTimmarPerVecka", false); omfattning != nullptr) {
        if (!omfattning->is_number_integer() || omfattning->get<std::int64_t>() < 1 ||
            omfattning->get<std::int64_t>() > 40)
          check.errors.push_back({"/andringar/omfattningTimmarPerVecka", "ska vara ett heltal 1..40"});
      }
      check.date("/andringar/startdatum", false);
      check.text("/andringar/malgrupp", false);
      if (check.object("/andringar/anvisandeHandlaggare", false) != nullptr)
        check.text("/andringar/anvisandeHandlaggare/id");
    }
  } else if (typ == "ANVISNING_ATERKALLAD") {
    version_at_least(2);
    check.text("/orsak");
    // A withdrawal carries no content about the person.
    for (const char* forbidden : {"/person", "/andringar", "/arende"}) {
      if (check.member(forbidden, false) != nullptr)
        check.errors.push_back({forbidden, "ska inte finnas i en återkallelse"});
    }
  } else if (typ == "BESLUT") {
    if (check.object("/beslut") != nullptr) {
      check.text("/beslut/beslutsId");
      if (const auto beslut = check.text("/beslut/typ");
          !beslut.empty() && beslut != "SANKTION" && beslut != "UNDANTAG")
        check.errors.push_back({"/beslut/typ", "ska vara SANKTION eller UNDANTAG"});
      check.date("/beslut/periodFrom");
      check.date("/beslut/periodTom");
      check.text("/beslut/referens");
      if (const auto beslutad = check.text("/beslut/beslutad"); !beslutad.empty() && !is_date_time(beslutad))
        check.errors.push_back({"/beslut/beslutad", "ska vara en tidpunkt enligt RFC 3339"});
    }
  } else if (typ == "BEDOMNING") {
    if (check.object("/bedomning") != nullptr) {
      check.text("/bedomning/bedomningsId");
      if (const auto instrument = check.text("/bedomning/instrument");
          !instrument.empty() && instrument != "IB" && instrument != "FIA")
        check.errors.push_back({"/bedomning/instrument", "ska vara IB eller FIA"});
      check.text("/bedomning/del");
      check.date("/bedomning/datum");
      check.resultat("/bedomning/resultat");
    }
  } else if (!typ.empty()) {
    check.errors.push_back({"/typ", "ska vara ANVISNING_ANDRAD, ANVISNING_ATERKALLAD, BESLUT eller BEDOMNING"});
  }
  return std::move(check.errors);
}

nlohmann::json fel_body(const std::vector<FieldError>& errors) {
  nlohmann::json fel = nlohmann::json::array();
  for (const auto& error : errors) fel.push_back({{"falt", error.falt}, {"orsak", error.orsak}});
  return {{"fel", fel}};
}

}  // namespace knutpunkt::jobbtorg_simulator
