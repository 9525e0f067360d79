#pragma once
// The Försäkringskassan simulator's protocol logic, apart from HTTP: checking a question the way
// LEFI does (400 for a bad or too long period, no group named) and building the answer from a test
// person's records. Pure functions of their inputs, so the fixtures can be reproduced exactly.
#include <expected>
#include <nlohmann/json.hpp>
#include <set>
#include <string>

namespace knutpunkt::fk_simulator {

struct Refusal {
  int status = 400;
  std::string meddelande;  // LefiFelsvar.meddelande: Swedish, never personal data
};

// The question after checking: the 12-digit person key and the period.
struct Question {
  std::string personnummer;  // as sent (10 or 12 digits)
  std::string from;
  std::string tom;
  nlohmann::json body;  // the whole question, for the group lists
};

enum class Service { formaner, pagaende };

std::expected<Question, Refusal> check_question(const std::string& body, Service service);

// Information classes (formansinformation, ansprak, utbetalningar, ovrigInformation) whose
// sub-system does not answer: their requested groups become avvikelser with `code`.
struct SilentSubsystems {
  std::set<std::string> classes;
  std::string code = "INTERNT_FEL";
};

// `person` is the test person's record from persons.json (an empty object for an unknown person).
nlohmann::json formaner_answer(const Question& question, const nlohmann::json& person, const SilentSubsystems& forced);
nlohmann::json pagaende_answer(const Question& question, const nlohmann::json& person);

// The person record for a 10- or 12-digit personnummer; empty object when unknown.
const nlohmann::json& find_person(const nlohmann::json& persons, const std::string& personnummer);

nlohmann::json felsvar(const std::string& meddelande);

// Shared with the återsökning and notification code: LEFI's FK group codes and their names, and
// a calendar-checked YYYY-MM-DD.
bool is_fk_group(const std::string& code);
std::string describe_group(const std::string& code);
bool is_date(const std::string& text);

}  // namespace knutpunkt::fk_simulator
