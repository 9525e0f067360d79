#pragma once
// Renders the simulator's SOAP 1.1 replies from a question, a test person's source-neutral facts
// (persons.json) and the faults that apply, in one of the two reply modes (reply_mode.h). In
// published mode every reply validates against schemas/ssbtek/ssbtek-v10.xsd; in production mode
// replies depart from it as the real service's do. The fixtures in tests/fixtures/ssbtek (and its
// production/ folder) are its output.
#include <map>
#include <nlohmann/json.hpp>
#include <string>

#include "question.h"
#include "reply_mode.h"
#include "source_faults.h"

namespace knutpunkt::ssbtek_simulator {

// An empty object stands for a person no source knows.
using PersonFacts = nlohmann::ordered_json;

std::string write_hamta_response(const Question& question, const PersonFacts& person,
                                 const std::map<Source, SourceFault>& faults, ReplyMode mode);
std::string write_test_response(const std::map<Source, SourceFault>& faults, ReplyMode mode);

// SOAP 1.1's fault codes: Client for a bad question, Server for the service's own failure.
enum class FaultCode { client, server };

// A whole-request failure: SOAP Fault with ssbt:hamtaBastjanstInformationFault (or the testa
// variant) in detail.
std::string write_fault(Operation operation, FaultCode faultcode, const std::string& felkod,
                        const std::string& felmeddelande, ReplyMode mode);

}  // namespace knutpunkt::ssbtek_simulator
