#pragma once
// Renders the simulator's SOAP 1.1 replies from a question, a test person's source-neutral facts
// (persons.json) and the faults that apply. Every reply it writes validates against
// schemas/ssbtek/ssbtek-v10.xsd; the fixtures in tests/fixtures/ssbtek are its output.
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "source_faults.h"
#include "question.h"

namespace knutpunkt::ssbtek_simulator {

// An empty object stands for a person no source knows.
using PersonFacts = nlohmann::ordered_json;

std::string write_hamta_response(const Question& question, const PersonFacts& person,
                                 const std::map<Source, SourceFault>& faults);
std::string write_test_response(const std::map<Source, SourceFault>& faults);

// A whole-request failure: SOAP Fault with ssbt:hamtaBastjanstInformationFault (or the testa
// variant) in detail. faultcode is "soap:Client" for a bad question, "soap:Server" otherwise.
std::string write_fault(Operation operation, std::string_view faultcode, const std::string& felkod,
                        const std::string& felmeddelande);

}  // namespace knutpunkt::ssbtek_simulator
