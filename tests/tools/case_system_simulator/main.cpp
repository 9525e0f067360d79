// case-system-simulator: a case system receiving knutpunkt's webhook pushes on loopback
// (README.md, "What a referral looks like"). POST /webhook[/...] verifies Knutpunkt-Signature,
// deduplicates by event_id and answers 200; /_recv/ is the control API for tests (faults, stats,
// the events received). stdout carries one JSON line, {"event":"listening","port":N}; stderr logs
// carry event ids and types only (the facts of an event may hold personal data).
#include <httplib.h>

#include <chrono>
#include <iostream>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "command_line.h"
#include "connection_abort.h"
#include "fault_control.h"
#include "problem.h"
#include "received_events.h"
#include "serve.h"
#include "webhook_signature.h"

namespace kit = knutpunkt::simulator_kit;
namespace cs = knutpunkt::case_system_simulator;

namespace {

using kit::kJson;
using kit::kProblemJson;

struct Options {
  kit::Listen listen{.host = "127.0.0.1", .port = 18083, .port_file = std::nullopt, .threads = 16, .tls = {}};
  std::string secret;
  std::chrono::seconds max_skew = cs::kMaxSignatureSkew;
  bool quiet = false;
};

constexpr const char* kUsage =
    "usage: case-system-simulator --secret S [--host H] [--port N (0 = ephemeral; default 18083)] [--port-file PATH]\n"
    "                             [--threads N] [--max-skew-s N (default 300)] [--quiet]\n"
    "                             [--tls-cert PATH --tls-key PATH [--client-ca PATH]]\n";

std::optional<Options> parse_options(int argc, char** argv) {
  Options options;
  bool has_secret = false;
  const bool read = kit::read_flags(argc, argv, {"--quiet"}, [&](const std::string& flag, const std::string& value) {
    if (kit::read_listen_flag(options.listen, flag, value)) return true;
    if (flag == "--quiet")
      options.quiet = true;
    else if (flag == "--secret") {
      options.secret = value;
      has_secret = true;
    } else if (flag == "--max-skew-s")
      options.max_skew = std::chrono::seconds{std::stol(value)};
    else
      return false;
    return true;
  });
  if (!read) return std::nullopt;
  if (!has_secret) {
    std::cerr << "--secret is required: a receiver that accepts unsigned pushes tests nothing\n";
    return std::nullopt;
  }
  if (!kit::usable(options.listen) || options.max_skew.count() <= 0) return std::nullopt;
  return options;
}

// The offending field as RFC 9457 invalid_params, the form the gateway's own API uses.
std::string problem(int status, const std::string& title, const std::string& detail, const std::string& field = "") {
  auto body = kit::problem(status, title, detail);
  if (!field.empty()) body["invalid_params"] = nlohmann::json::array({{{"name", field}, {"reason", detail}}});
  return body.dump();
}

}  // namespace

int main(int argc, char** argv) {
  auto options = parse_options(argc, argv);
  if (!options) return kit::refuse_command_line(kUsage);
  kit::block_stop_signals();

  // A 400 for "reject": the receiver refusing the event is final for the gateway (dead letter).
  kit::FaultPlan faults(kit::FaultDefaults{.error_status = 503, .reject_status = 400});
  cs::ReceivedEvents received;
  kit::StopSignal stop;
  auto made_server = kit::make_server(options->listen.tls);
  if (!made_server) {
    std::cerr << made_server.error() << std::endl;
    return 1;
  }
  httplib::Server& server = **made_server;
  const bool quiet = options->quiet;

  const auto receive = [&](const httplib::Request& request, httplib::Response& response) {
    received.count(cs::Counted::received);
    // fail_first counts attempts per outbox message; the Idempotency-Key is stable across retries.
    std::string key = request.get_header_value("Idempotency-Key");
    if (key.empty()) key = request.get_header_value("Knutpunkt-Event-Id");
    const auto fault = faults.decide(key);
    if (fault.latency.count() > 0) stop.sleep_for(fault.latency);
    if (fault.fails_without_effect()) {
      received.count(cs::Counted::failed_by_fault);
      if (!quiet)
        std::cerr << "webhook fault=" << kit::mode_name(fault.mode) << " key=" << key << " status=" << fault.status
                  << std::endl;
      kit::answer_fault(fault, request, response,
                        problem(fault.status, "Simulated fault", std::string(kit::mode_name(fault.mode))), kProblemJson);
      return;
    }

    const auto verdict =
        cs::verify_signature(request.get_header_value("Knutpunkt-Signature"), request.body, options->secret,
                             options->max_skew, std::chrono::system_clock::now());
    if (verdict != cs::SignatureVerdict::valid) {
      received.count(cs::Counted::bad_signatures);
      if (!quiet) std::cerr << "webhook signature=" << cs::verdict_name(verdict) << " key=" << key << std::endl;
      response.status = 401;
      response.set_content(problem(401, "Bad signature", std::string(cs::verdict_name(verdict)), "Knutpunkt-Signature"),
                           kProblemJson);
      return;
    }

    const auto envelope = nlohmann::json::parse(request.body, nullptr, false);
    const char* wrong = nullptr;
    if (envelope.is_discarded() || !envelope.is_object())
      wrong = "";
    else if (!envelope.contains("event_id") || !envelope["event_id"].is_string() ||
             envelope["event_id"].get<std::string>().empty())
      wrong = "event_id";
    else if (!envelope.contains("type") || !envelope["type"].is_string())
      wrong = "type";
    if (wrong != nullptr) {
      received.count(cs::Counted::invalid);
      if (!quiet) std::cerr << "webhook invalid field=" << wrong << " key=" << key << std::endl;
      response.status = 400;
      response.set_content(problem(400, "Not a case event envelope", "missing or not a string", wrong), kProblemJson);
      return;
    }
    const auto event_id = envelope["event_id"].get<std::string>();
    const auto header_event_id = request.get_header_value("Knutpunkt-Event-Id");
    if (!header_event_id.empty() && header_event_id != event_id && !quiet)
      std::cerr << "webhook Knutpunkt-Event-Id " << header_event_id << " differs from event_id " << event_id
                << std::endl;
    const auto outcome = received.accept(envelope, request.get_header_value("Idempotency-Key"));
    const bool duplicate = outcome == cs::ReceivedEvents::Outcome::duplicate;
    if (!quiet)
      std::cerr << "webhook event_id=" << event_id << " type=" << envelope["type"].get<std::string>()
                << (duplicate ? " duplicate" : "") << std::endl;
    if (fault.action == kit::FaultAction::lost_reply) {
      // The event is recorded, then the reply is lost: the gateway must retry and get a duplicate.
      // Counted apart from failed_by_fault, which means "not recorded".
      received.count(cs::Counted::lost_replies);
      kit::reset_connection(request, response);
      return;
    }
    response.status = 200;
    response.set_content(nlohmann::json{{"received", true}, {"duplicate", duplicate}, {"event_id", event_id}}.dump(),
                         kJson);
  };
  server.Post("/webhook", receive);
  server.Post(R"(/webhook/.*)", receive);

  kit::serve_fault_control(server, "/_recv", faults, [](const kit::FaultSpecError& error) {
    return problem(400, "Invalid fault", error.message, error.field);
  });
  server.Get("/_recv/stats", [&](const httplib::Request&, httplib::Response& response) {
    response.set_content(received.stats().dump(), kJson);
  });
  server.Delete("/_recv/stats", [&](const httplib::Request&, httplib::Response& response) {
    received.reset();
    response.status = 204;
  });
  server.Get("/_recv/events", [&](const httplib::Request&, httplib::Response& response) {
    response.set_content(nlohmann::json{{"events", received.events()}}.dump(), kJson);
  });
  server.Get("/_recv/health", [](const httplib::Request&, httplib::Response& response) {
    response.set_content(R"({"status":"ok"})", kJson);
  });

  return kit::serve(server, options->listen, stop);
}
