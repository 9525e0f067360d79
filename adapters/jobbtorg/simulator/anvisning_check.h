#pragma once
// Jobbtorg's acceptance check of an incoming anvisning (adapters/jobbtorg/README.md, "Outbound:
// anvisning"): the required fields and their forms. A failure is the 400 {"fel": [...]} a
// gateway must treat as final.
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace knutpunkt::jobbtorg_simulator {

struct FieldError {
  std::string falt;   // JSON pointer into the anvisning, or a header name
  std::string orsak;  // Swedish, as Jobbtorg answers
};

std::vector<FieldError> check_anvisning(const nlohmann::json& anvisning);

// A meddelande about an anvisning (ANVISNING_ANDRAD, ANVISNING_ATERKALLAD, BESLUT, BEDOMNING), posted to
// /anvisningar/{anvisningsId}/meddelanden: its form, and that it names the anvisning of its path.
std::vector<FieldError> check_meddelande(const nlohmann::json& meddelande, const std::string& anvisnings_id);

nlohmann::json fel_body(const std::vector<FieldError>& errors);

}  // namespace knutpunkt::jobbtorg_simulator
