// arbetsformedlingen-simulator: Arbetsförmedlingen's consent-based API for municipalities on
// loopback, speaking the protocol of adapters/arbetsformedlingen/README.md: POST
// /arbetssokande/v1/{inskrivningsstatus,handlingsplan,aktivitetsrapporter,beslut} answered from
// the test persons in persons.json, GET /arbetssokande/v1/halsa. /_sim/ is the control API for
// tests: faults (simulator kit), stats, health.
// stdout carries one JSON line, {"event":"listening","port":N}; stderr logs name the resource, the
// status and the felkod, never a personnummer or a name.
#include <httplib.h>

#include <array>
#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>
#include <optional>
#include <stdexcept>
#include <string>

#include "af_answers.h"
#include "command_line.h"
#include "connection_abort.h"
#include "counters.h"
#include "fault_control.h"
#include "problem.h"
#include "serve.h"

namespace kit = knutpunkt::simulator_kit;
namespace afs = knutpunkt::af_simulator;

namespace {

using kit::kJson;

constexpr const char* kBase = "/arbetssokande/v1";

struct Options {
  kit::Listen listen{.host = "127.0.0.1", .port = 18083, .port_file = std::nullopt, .threads = 32, .tls = {}};
  std::string persons = AF_SIMULATOR_PERSONS;
  std::string token;              // empty: any (or no) bearer token is accepted
  bool consent_required = true;   // AF's own rule: no X-Samtyckesreferens, no answer
  bool quiet = false;
};

constexpr const char* kUsage =
    "usage: arbetsformedlingen-simulator [--host H] [--port N (0 = ephemeral; default 18083)] [--port-file PATH]\n"
    "                                    [--threads N (32)] [--persons PATH] [--token T]\n"
    "                                    [--consent required|optional (required)] [--quiet]\n"
    "                                    [--tls-cert PATH --tls-key PATH [--client-ca PATH]]\n";

std::optional<Options> parse_options(int argc, char** argv) {
  Options options;
  const bool read = kit::read_flags(argc, argv, {"--quiet"}, [&](const std::string& flag, const std::string& value) {
    if (kit::read_listen_flag(options.listen, flag, value)) return true;
    if (flag == "--quiet") {
      options.quiet = true;
    } else if (flag == "--persons") {
      options.persons = value;
    } else if (flag == "--token") {
      options.token = value;
    } else if (flag == "--consent") {
      if (value != "required" && value != "optional") throw std::invalid_argument(value);
      options.consent_required = value == "required";
    } else {
      return false;
    }
    return true;
  });
  if (!read || !kit::usable(options.listen)) return std::nullopt;
  return options;
}

std::optional<nlohmann::json> load_persons(const std::string& path) {
  std::ifstream in(path);
  if (!in) return std::nullopt;
  auto document = nlohmann::json::parse(in, nullptr, false);
  if (document.is_discarded() || !document.contains("persons") || !document["persons"].is_object()) return std::nullopt;
  return document["persons"];
}

enum class Counted {
  requests_total,
  inskrivningsstatus,
  handlingsplan,
  aktivitetsrapporter,
  beslut,
  halsa,
  refused_authorization,
  refused_consent,
  refused_invalid,
  unknown_person,
  failed_by_fault,
};
constexpr std::array<std::string_view, 11> kCountedNames{
    "requests_total", "inskrivningsstatus", "handlingsplan",  "aktivitetsrapporter", "beslut",          "halsa",
    "refused_authorization", "refused_consent", "refused_invalid", "unknown_person", "failed_by_fault"};

}  // namespace

int main(int argc, char** argv) {
  auto options = parse_options(argc, argv);
  if (!options) return kit::refuse_command_line(kUsage);
  kit::block_stop_signals();
  const auto persons = load_persons(options->persons);
  if (!persons) {
    std::cerr << "cannot read test persons from " << options->persons << std::endl;
    return 1;
  }

  kit::FaultPlan faults(kit::FaultDefaults{.error_status = 503, .reject_status = 400});
  kit::Counters<Counted, kCountedNames.size()> counters(kCountedNames);
  kit::StopSignal stop;
  auto made_server = kit::make_server(options->listen.tls);
  if (!made_server) {
    std::cerr << made_server.error() << std::endl;
    return 1;
  }
  httplib::Server& server = **made_server;
  const bool quiet = options->quiet;
  const std::string expected_authorization = options->token.empty() ? "" : "Bearer " + options->token;

  const auto reply = [](httplib::Response& response, int status, const nlohmann::json& body) {
    response.status = status;
    response.set_content(body.dump(), kJson);
  };
  const auto log = [quiet](std::string_view resource, int status, std::string_view felkod) {
    if (quiet) return;
    std::cerr << "resource=" << resource << " status=" << status;
    if (!felkod.empty()) std::cerr << " felkod=" << felkod;
    std::cerr << std::endl;
  };

  for (const char* resource : {"inskrivningsstatus", "handlingsplan", "aktivitetsrapporter", "beslut"}) {
    const Counted counted = std::string_view(resource) == "inskrivningsstatus"    ? Counted::inskrivningsstatus
                            : std::string_view(resource) == "handlingsplan"       ? Counted::handlingsplan
                            : std::string_view(resource) == "aktivitetsrapporter" ? Counted::aktivitetsrapporter
                                                                                  : Counted::beslut;
    server.Post(std::string(kBase) + "/" + resource, [&, resource, counted](const httplib::Request& request,
                                                                         httplib::Response& response) {
      counters.add(Counted::requests_total);
      counters.add(counted);
      // Faults model what stands in front of AF (a proxy, an overloaded host): they come first.
      const auto fault = faults.decide(request.get_header_value("X-Korrelations-Id") + "/" + resource);
      if (fault.latency.count() > 0) stop.sleep_for(fault.latency);
      if (fault.fails_without_effect()) {
        counters.add(Counted::failed_by_fault);
        log(resource, fault.action == kit::FaultAction::reset ? 0 : fault.status, kit::mode_name(fault.mode));
        const auto body = fault.status == 429 ? afs::fel("FOR_MANGA_ANROP", "För många anrop, försök senare")
                                              : afs::fel("TEKNISKT_FEL", "Tjänsten är tillfälligt otillgänglig");
        kit::answer_fault(fault, request, response, body.dump(), kJson);
        return;
      }
      if (!expected_authorization.empty() && request.get_header_value("Authorization") != expected_authorization) {
        counters.add(Counted::refused_authorization);
        log(resource, 401, "BEHORIGHET_SAKNAS");
        reply(response, 401, afs::fel("BEHORIGHET_SAKNAS", "Ogiltig eller saknad token"));
        return;
      }
      // 12 kap. OSL: AF shares these facts with the municipality only on the person's consent.
      if (options->consent_required && request.get_header_value("X-Samtyckesreferens").empty()) {
        counters.add(Counted::refused_consent);
        log(resource, 403, "SAMTYCKE_SAKNAS");
        reply(response, 403, afs::fel("SAMTYCKE_SAKNAS", "Samtyckesreferens saknas (X-Samtyckesreferens)"));
        return;
      }
      auto question = afs::read_question(request.body);
      if (!question) {
        counters.add(Counted::refused_invalid);
        log(resource, question.error().status, "OGILTIG_FRAGA");
        reply(response, question.error().status, question.error().body);
        return;
      }
      const auto answer = afs::answer(resource, *question, *persons);
      if (answer.status == 404) counters.add(Counted::unknown_person);
      log(resource, answer.status, answer.status == 200 ? "" : answer.body.value("felkod", ""));
      if (fault.action == kit::FaultAction::lost_reply) {
        kit::reset_connection(request, response);
        return;
      }
      reply(response, answer.status, answer.body);
    });
  }
  server.Get(std::string(kBase) + "/halsa", [&](const httplib::Request& request, httplib::Response& response) {
    counters.add(Counted::halsa);
    if (!expected_authorization.empty() && request.get_header_value("Authorization") != expected_authorization) {
      reply(response, 401, afs::fel("BEHORIGHET_SAKNAS", "Ogiltig eller saknad token"));
      return;
    }
    reply(response, 200, {{"status", "UP"}});
  });

  kit::serve_fault_control(server, "/_sim", faults, [](const kit::FaultSpecError& error) {
    auto detail = kit::problem(400, "Invalid fault", error.message);
    detail["field"] = error.field;
    return detail.dump();
  });
  server.Get("/_sim/stats", [&](const httplib::Request&, httplib::Response& response) {
    nlohmann::json stats = nlohmann::json::object();
    counters.write_to(stats);
    response.set_content(stats.dump(), kJson);
  });
  server.Delete("/_sim/stats", [&](const httplib::Request&, httplib::Response& response) {
    counters.reset();
    response.status = 204;
  });
  server.Get("/_sim/health", [](const httplib::Request&, httplib::Response& response) {
    response.set_content(R"({"status":"ok"})", kJson);
  });

  return kit::serve(server, options->listen, stop);
}
