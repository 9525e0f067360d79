#include "af_answers.h"

#include <regex>

namespace knutpunkt::af_simulator {

namespace {

bool is_date(const nlohmann::json& value) {
  static const std::regex date("[0-9]{4}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])");
  return value.is_string() && std::regex_match(value.get<std::string>(), date);
}

// ISO dates and months compare as text. A month overlaps the period when its first day is not
// after tom and its last day not before from ("-31" sorts after every real day of the month).
bool month_overlaps(const std::string& month, const Question& question) {
  if (!question.period_tom.empty() && month + "-01" > question.period_tom) return false;
  if (!question.period_from.empty() && month + "-31" < question.period_from) return false;
  return true;
}

bool validity_overlaps(const nlohmann::json& decision, const Question& question) {
  const std::string from = decision.value("from", "");
  const std::string tom = decision.contains("tom") && decision["tom"].is_string() ? decision["tom"].get<std::string>() : "";
  if (!question.period_tom.empty() && from > question.period_tom) return false;
  if (!question.period_from.empty() && !tom.empty() && tom < question.period_from) return false;
  return true;
}

}  // namespace

nlohmann::json fel(std::string_view felkod, std::string_view felmeddelande) {
  return {{"felkod", felkod}, {"felmeddelande", felmeddelande}};
}

std::expected<Question, Answer> read_question(std::string_view body) {
  const auto invalid = [](std::string_view message) {
    return std::unexpected(Answer{400, fel("OGILTIG_FRAGA", message)});
  };
  const auto parsed = nlohmann::json::parse(body, nullptr, false);
  if (parsed.is_discarded() || !parsed.is_object()) return invalid("frågan är inte ett JSON-objekt");
  for (const auto& [key, _] : parsed.items())
    if (key != "personnummer" && key != "period") return invalid("okänt fält: " + key);
  Question question;
  static const std::regex twelve_digits("[0-9]{12}");
  if (!parsed.contains("personnummer") || !parsed["personnummer"].is_string() ||
      !std::regex_match(parsed["personnummer"].get<std::string>(), twelve_digits))
    return invalid("personnummer ska vara 12 siffror");
  question.personnummer = parsed["personnummer"].get<std::string>();
  if (parsed.contains("period")) {
    const auto& period = parsed["period"];
    if (!period.is_object()) return invalid("period ska vara ett objekt med from och tom");
    for (const auto& [key, value] : period.items()) {
      if (key != "from" && key != "tom") return invalid("okänt fält i period: " + key);
      if (!is_date(value)) return invalid("period." + key + " ska vara ett datum ÅÅÅÅ-MM-DD");
    }
    question.period_from = period.value("from", "");
    question.period_tom = period.value("tom", "");
    if (!question.period_from.empty() && !question.period_tom.empty() && question.period_from > question.period_tom)
      return invalid("period.from är efter period.tom");
  }
  return question;
}

Answer answer(std::string_view resource, const Question& question, const nlohmann::json& persons) {
  if (!persons.contains(question.personnummer)) {
    return Answer{404, fel("PERSON_OKAND", "Personen finns inte hos Arbetsförmedlingen")};
  }
  const nlohmann::json& person = persons[question.personnummer];
  // Every answer carries AF's sekretessmarkering, also when there is nothing else to say.
  nlohmann::json body{{"sekretessmarkering", person.value("sekretessmarkering", false)}};
  if (resource == "inskrivningsstatus") {
    if (person.contains("inskrivningsstatus")) {
      for (const auto& [key, value] : person["inskrivningsstatus"].items()) body[key] = value;
    } else {
      body["inskriven"] = false;
    }
  } else if (resource == "handlingsplan") {
    if (person.contains("handlingsplan")) body["handlingsplan"] = person["handlingsplan"];
  } else if (resource == "aktivitetsrapporter") {
    body["aktivitetsrapporter"] = nlohmann::json::array();
    for (const auto& report : person.value("aktivitetsrapporter", nlohmann::json::array()))
      if (month_overlaps(report.value("manad", ""), question)) body["aktivitetsrapporter"].push_back(report);
  } else if (resource == "beslut") {
    body["beslut"] = nlohmann::json::array();
    for (const auto& decision : person.value("beslut", nlohmann::json::array()))
      if (validity_overlaps(decision, question)) body["beslut"].push_back(decision);
  } else {
    return Answer{404, fel("RESURS_OKAND", "Resursen finns inte")};
  }
  return Answer{200, std::move(body)};
}

}  // namespace knutpunkt::af_simulator
