// ssbtek-simulator: SSBTEK (Sammansatt bastjänst för ekonomiskt bistånd) on loopback. Answers
// SOAP 1.1 hamtaBastjanstInformation / testaBastjanstInformation on POST /ssbtek from the test
// persons in persons.json, with per-source fault injection through a control API under /_sim/.
// Replies come in two modes (reply_mode.h): "production" (the default: shaped like the real
// service's, departing from the published contract) or "published" (every reply validates against
// our XSDs); --replies chooses at start-up, PUT /_sim/replies at run time.
// Logs go to stderr and never carry personnummer or names; stdout carries one JSON line,
// {"event":"listening","port":N}, once the socket is bound.
#include <httplib.h>
#include <libxml/parser.h>
#include <libxml/xmlIO.h>
#include <libxml/xmlschemas.h>
#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <chrono>
#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>
#include <optional>
#include <stdexcept>
#include <string>

#include "command_line.h"
#include "connection_abort.h"
#include "problem.h"
#include "question.h"
#include "reply_mode.h"
#include "reply_writer.h"
#include "serve.h"
#include "source_faults.h"

namespace kit = knutpunkt::simulator_kit;
namespace ks = knutpunkt::ssbtek_simulator;

namespace {

using kit::kJson;
using kit::kProblemJson;
constexpr const char* kXml = "text/xml; charset=utf-8";

struct Options {
  kit::Listen listen{.host = "127.0.0.1", .port = 18081, .port_file = std::nullopt, .threads = 32, .tls = {}};
  std::string persons = SSBTEK_SIMULATOR_PERSONS;
  std::string schema = SSBTEK_SIMULATOR_SCHEMA;
  // Production by default: the demo and the integration tests should meet what a municipality
  // really receives, not only what the contract promises.
  ks::ReplyMode replies = ks::ReplyMode::production;
  // SSBTEK asks the sources in parallel and gives up on one that has not answered in time,
  // answering it with its own error (kalla SSBT, felkod TIMEOUT) and the others with their data.
  std::chrono::milliseconds source_deadline{2500};
};

constexpr const char* kUsage =
    "usage: ssbtek-simulator [--host H] [--port N (0 = ephemeral)] [--port-file PATH]\n"
    "                        [--persons PATH] [--schema PATH] [--threads N]\n"
    "                        [--replies production|published] [--source-deadline-ms N]\n"
    "                        [--tls-cert PATH --tls-key PATH [--client-ca PATH]]\n"
    "  --source-deadline-ms  SSBTEK's own deadline per source (default 2500): a source slower than it\n"
    "                        (a latency fault) is answered with kalla SSBT, felkod TIMEOUT, the others with data\n"
    "  --replies production  (default) replies as SSBTEK's production service sends them: echo elements\n"
    "                        missing, other namespace prefixes, a SOAP Header, SKV's document as CDATA,\n"
    "                        dates with offsets, amounts with decimals, CSN 3.0 for some persons, newer\n"
    "                        elements appended (tests/fixtures/ssbtek/README.md lists each departure)\n"
    "  --replies published   every reply validates against schemas/ssbtek (the published contract)\n"
    "  Switch at run time with PUT /_sim/replies {\"mode\":\"published\"}; DELETE /_sim/replies restores\n"
    "  the start-up mode; GET /_sim/replies and GET /_sim/stats show the current one.\n";

std::optional<Options> parse_options(int argc, char** argv) {
  Options options;
  const bool read = kit::read_flags(argc, argv, {}, [&](const std::string& flag, const std::string& value) {
    if (kit::read_listen_flag(options.listen, flag, value)) return true;
    if (flag == "--persons")
      options.persons = value;
    else if (flag == "--schema")
      options.schema = value;
    else if (flag == "--source-deadline-ms")
      options.source_deadline = std::chrono::milliseconds{std::stoi(value)};
    else if (flag == "--replies") {
      const auto mode = ks::reply_mode_named(value);
      if (!mode) throw std::invalid_argument("--replies");
      options.replies = *mode;
    } else
      return false;
    return true;
  });
  if (!read || !kit::usable(options.listen)) return std::nullopt;
  return options;
}

std::optional<ks::PersonFacts> load_persons(const std::string& path) {
  std::ifstream in(path);
  if (!in) return std::nullopt;
  auto document = ks::PersonFacts::parse(in, nullptr, false);
  if (document.is_discarded() || !document.contains("persons") || !document["persons"].is_object()) return std::nullopt;
  return document["persons"];
}

std::string problem(int status, const std::string& title, const std::string& detail, const std::string& field = "") {
  auto body = kit::problem(status, title, detail);
  if (!field.empty()) body["field"] = field;
  return body.dump();
}

std::string source_list(const std::vector<ks::Source>& sources) {
  std::string out;
  for (ks::Source source : sources) {
    if (!out.empty()) out += ",";
    out += ks::name(source);
  }
  return out;
}

// Whole-reply faults outrank each other in this order when several sources carry one.
std::optional<std::pair<ks::Source, ks::SourceFault>> whole_reply_fault(
    const std::map<ks::Source, ks::SourceFault>& faults) {
  for (ks::FaultMode mode :
       {ks::FaultMode::drop, ks::FaultMode::http_500, ks::FaultMode::malformed, ks::FaultMode::soap_fault})
    for (const auto& [source, fault] : faults)
      if (fault.mode == mode) return std::make_pair(source, fault);
  return std::nullopt;
}

// Published replies only: production replies depart from the schema on purpose.
void log_reply_check(const ks::QuestionSchema& schema, const std::string& reply) {
  // The simulator's replies are the contract others test against; a persons.json edit that breaks
  // the schema shows up here instead of as a puzzling adapter failure.
  xmlDoc* doc = xmlReadMemory(reply.data(), static_cast<int>(reply.size()), "reply.xml", nullptr,
                              XML_PARSE_NONET | XML_PARSE_NOBLANKS);
  if (doc == nullptr) return;
  xmlNode* body = xmlDocGetRootElement(doc)->children;
  while (body != nullptr && body->type != XML_ELEMENT_NODE) body = body->next;
  xmlNode* payload = body != nullptr ? body->children : nullptr;
  while (payload != nullptr && payload->type != XML_ELEMENT_NODE) payload = payload->next;
  if (payload != nullptr) {
    xmlSchemaValidCtxt* validator = xmlSchemaNewValidCtxt(const_cast<xmlSchema*>(schema.get()));
    xmlSchemaSetValidStructuredErrors(
        validator, [](void*, xmlError*) {}, nullptr);
    if (xmlSchemaValidateOneElement(validator, payload) != 0)
      spdlog::warn("reply does not validate against the schema; check persons.json");
    xmlSchemaFreeValidCtxt(validator);
  }
  xmlFreeDoc(doc);
}

}  // namespace

int main(int argc, char** argv) {
  auto options = parse_options(argc, argv);
  if (!options) return kit::refuse_command_line(kUsage);
  kit::block_stop_signals();
  spdlog::set_default_logger(spdlog::stderr_logger_mt("ssbtek-simulator"));
  spdlog::set_pattern("%Y-%m-%dT%H:%M:%S.%e %l %v");

  xmlInitParser();
  // Our schemas import each other by relative path; nothing is ever fetched from the network.
  xmlSetExternalEntityLoader(xmlNoNetExternalEntityLoader);

  const auto persons = load_persons(options->persons);
  if (!persons) {
    spdlog::error("cannot read test persons from {}", options->persons);
    return 1;
  }
  auto schema = ks::QuestionSchema::load(options->schema);
  if (!schema) {
    spdlog::error("{}", schema.error());
    return 1;
  }

  ks::FaultPlan faults;
  ks::RequestStats stats;
  ks::ReplyModeSetting replies(options->replies);
  kit::StopSignal stop;
  // kit::serve gives the server --threads workers and keeps connections alive for 10000 requests,
  // as a partner's real front end does (cpp-httplib's default of 5 makes the gateway reconnect in
  // bursts that overflow the listen backlog).
  auto made_server = kit::make_server(options->listen.tls);
  if (!made_server) {
    std::cerr << made_server.error() << std::endl;
    return 1;
  }
  httplib::Server& server = **made_server;

  server.Post("/ssbtek", [&](const httplib::Request& request, httplib::Response& response) {
    const auto started = std::chrono::steady_clock::now();
    const ks::ReplyMode mode = replies.get();
    auto question = ks::read_question(request.body, *schema);
    if (!question) {
      stats.count_operation("invalid");
      spdlog::info("question refused felkod={}", question.error().felkod);
      response.status = 500;
      response.set_content(ks::write_fault(question.error().operation, ks::FaultCode::client, question.error().felkod,
                                           question.error().message, mode),
                           kXml);
      return;
    }
    const bool testa = question->operation == ks::Operation::testa;
    stats.count_operation(testa ? "testaBastjanstInformation" : "hamtaBastjanstInformation");
    stats.count_sources(question->sources);
    auto applying = faults.take(question->sources);
    std::chrono::milliseconds latency{0};
    for (auto& [source, fault] : applying) {
      if (fault.mode != ks::FaultMode::none) stats.count_fault(source);
      const bool source_level = fault.mode == ks::FaultMode::none || fault.mode == ks::FaultMode::error;
      if (source_level && fault.latency > options->source_deadline) {
        fault = ks::SourceFault{.mode = ks::FaultMode::error,
                                .latency = options->source_deadline,
                                .from_ssbtek = true,
                                .code = "TIMEOUT",
                                .message = "Källan svarade inte inom Sammansatt bastjänsts tidsgräns",
                                .remaining = std::nullopt};
      }
      latency = std::max(latency, fault.latency);
    }
    if (latency.count() > 0) stop.sleep_for(latency);

    std::string outcome = "ok";
    const auto whole = whole_reply_fault(applying);
    if (whole && whole->second.mode == ks::FaultMode::drop) {
      outcome = "drop";
      // Headers announce a body that never comes, then the connection closes.
      kit::abort_by_truncation(response, kXml);
    } else if (whole && whole->second.mode == ks::FaultMode::http_500) {
      outcome = "http_500";
      response.status = 500;
      response.set_content("Internal Server Error\n", "text/plain; charset=utf-8");
    } else if (whole && whole->second.mode == ks::FaultMode::soap_fault) {
      outcome = "soap_fault";
      response.status = 500;
      response.set_content(
          ks::write_fault(
              question->operation, ks::FaultCode::server, whole->second.code.empty() ? "SSBT-900" : whole->second.code,
              whole->second.message.empty() ? "Tekniskt fel i Sammansatt bastjänst" : whole->second.message, mode),
          kXml);
    } else {
      static const ks::PersonFacts unknown = ks::PersonFacts::object();
      const auto& known = *persons;
      const ks::PersonFacts& person =
          known.contains(question->personidentitet) ? known[question->personidentitet] : unknown;
      std::string reply =
          testa ? ks::write_test_response(applying, mode) : ks::write_hamta_response(*question, person, applying, mode);
      if (whole && whole->second.mode == ks::FaultMode::malformed) {
        outcome = "malformed";
        reply.resize(reply.size() / 2);  // a truncated envelope: not well-formed
      } else if (mode == ks::ReplyMode::published) {
        log_reply_check(*schema, reply);
      }
      response.set_content(reply, kXml);
    }
    const auto elapsed =
        std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - started).count();
    spdlog::info("{} sources={} replies={} outcome={} ms={}",
                 testa ? "testaBastjanstInformation" : "hamtaBastjanstInformation", source_list(question->sources),
                 ks::name(mode), outcome, elapsed);
  });

  server.Put(R"(/_sim/faults/([A-Za-z]+))", [&](const httplib::Request& request, httplib::Response& response) {
    const auto source = ks::source_named(request.matches[1].str());
    if (!source) {
      response.status = 404;
      response.set_content(problem(404, "Unknown source", "one of AF, CSN, FK, SKV, SO, TNS, MIV", "source"),
                           kProblemJson);
      return;
    }
    const auto body = nlohmann::json::parse(request.body, nullptr, false);
    if (body.is_discarded()) {
      response.status = 400;
      response.set_content(problem(400, "Invalid fault", "the body is not JSON"), kProblemJson);
      return;
    }
    auto fault = ks::parse_fault(body);
    if (fault && fault->mode == ks::FaultMode::avvikelse && *source != ks::Source::FK)
      fault = std::unexpected(ks::FaultSpecError{"mode", "avvikelse is a LEFI notion and applies to FK only"});
    if (!fault) {
      response.status = 400;
      response.set_content(problem(400, "Invalid fault", fault.error().message, fault.error().field), kProblemJson);
      return;
    }
    // A source code ("FK") and the fault's settings: nothing about any person.
    const std::string source_code{ks::name(*source)};
    spdlog::info("fault set source={} {}", source_code, ks::describe(*fault).dump());
    const nlohmann::json echo{{"source", source_code}, {"fault", ks::describe(*fault)}};
    faults.set(*source, std::move(*fault));
    response.set_content(echo.dump(), kJson);
  });
  server.Delete(R"(/_sim/faults/([A-Za-z]+))", [&](const httplib::Request& request, httplib::Response& response) {
    const auto source = ks::source_named(request.matches[1].str());
    if (!source) {
      response.status = 404;
      response.set_content(problem(404, "Unknown source", "one of AF, CSN, FK, SKV, SO, TNS, MIV", "source"),
                           kProblemJson);
      return;
    }
    faults.clear(*source);
    response.status = 204;
  });
  server.Delete("/_sim/faults", [&](const httplib::Request&, httplib::Response& response) {
    faults.clear();
    spdlog::info("faults cleared");
    response.status = 204;
  });
  server.Get("/_sim/faults", [&](const httplib::Request&, httplib::Response& response) {
    response.set_content(faults.describe().dump(), kJson);
  });
  server.Put("/_sim/replies", [&](const httplib::Request& request, httplib::Response& response) {
    const auto body = nlohmann::json::parse(request.body, nullptr, false);
    if (body.is_discarded()) {
      response.status = 400;
      response.set_content(problem(400, "Invalid reply mode", "the body is not JSON"), kProblemJson);
      return;
    }
    const auto mode = ks::parse_reply_mode(body);
    if (!mode) {
      response.status = 400;
      response.set_content(problem(400, "Invalid reply mode", mode.error().message, mode.error().field), kProblemJson);
      return;
    }
    replies.set(*mode);
    spdlog::info("replies set mode={}", ks::name(*mode));
    response.set_content(replies.describe().dump(), kJson);
  });
  server.Delete("/_sim/replies", [&](const httplib::Request&, httplib::Response& response) {
    replies.reset();
    spdlog::info("replies reset mode={}", ks::name(replies.get()));
    response.status = 204;
  });
  server.Get("/_sim/replies", [&](const httplib::Request&, httplib::Response& response) {
    response.set_content(replies.describe().dump(), kJson);
  });
  server.Get("/_sim/stats", [&](const httplib::Request&, httplib::Response& response) {
    auto snapshot = stats.snapshot();
    snapshot["replies"] = ks::name(replies.get());
    response.set_content(snapshot.dump(), kJson);
  });
  server.Delete("/_sim/stats", [&](const httplib::Request&, httplib::Response& response) {
    stats.reset();
    response.status = 204;
  });
  server.Get("/_sim/health", [](const httplib::Request&, httplib::Response& response) {
    response.set_content(R"({"status":"ok"})", kJson);
  });

  const int code = kit::serve(server, options->listen, stop);
  xmlCleanupParser();
  return code;
}
