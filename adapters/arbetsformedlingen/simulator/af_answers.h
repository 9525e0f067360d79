#pragma once
// What the AF simulator answers a question, as data: the status and the JSON body, rendered from
// the test persons in persons.json. Kept apart from HTTP so the rules read in one place.
#include <nlohmann/json.hpp>
#include <expected>
#include <optional>
#include <string>
#include <string_view>

namespace knutpunkt::af_simulator {

struct Answer {
  int status = 200;
  nlohmann::json body;
};

// The question's body: {"personnummer": "<12 digits>", "period": {"from": "YYYY-MM-DD", "tom": "YYYY-MM-DD"}}.
struct Question {
  std::string personnummer;
  std::string period_from;  // empty: no lower bound
  std::string period_tom;   // empty: no upper bound
};

// AF's error body.
nlohmann::json fel(std::string_view felkod, std::string_view felmeddelande);

// Reads and checks a question; an invalid one is answered 400 OGILTIG_FRAGA.
std::expected<Question, Answer> read_question(std::string_view body);

// resource: inskrivningsstatus | handlingsplan | aktivitetsrapporter | beslut. A person absent from
// `persons` is unknown to AF: 404 PERSON_OKAND. A known person without data for the resource gets
// 200 with a negative answer (inskriven false, no plan, empty lists).
Answer answer(std::string_view resource, const Question& question, const nlohmann::json& persons);

}  // namespace knutpunkt::af_simulator
