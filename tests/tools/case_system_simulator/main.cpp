// case-system-simulator: a case system receiving knutpunkt's webhook pushes on loopback
// (.notes/issue3-api.md, "Webhook push"). POST /webhook[/...] verifies Knutpunkt-Signature,
// deduplicates by event_id and answers 200; /_recv/ is the control API for tests (faults, stats,
// the events received). stdout carries one JSON line, {"event":"listening","port":N}; stderr logs
// carry event ids and types only (the facts of an event may hold personal data).
#include <httplib.h>

#include <chrono>
#include <iostream>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "connection_abort.h"
#include "fault_plan.h"
#include "received_events.h"
#include "serve.h"
#include "webhook_signature.h"

namespace kit = knutpunkt::simulator_kit;
namespace cs = knutpunkt::case_system_simulator;

namespace {

constexpr const char* kJson = "application/json";
constexpr const char* kProblem = "application/problem+json";

struct Options {
  kit::Listen listen{.host = "127.0.0.1", .port = 18083, .port_file = std::nullopt, .threads = 16};
  std::string secret;
  std::chrono::seconds max_skew{0};
  bool quiet = false;
};

void usage() {
  std::cerr << "usage: case-system-simulator --secret S [--host H] [--port N (0 = ephemeral; default 18083)] [--port-file PATH]\n"
               "                             [--threads N] [--max-skew-s N (0 = no timestamp check)] [--quiet]\n";
}

std::optional<Options> parse_options(int argc, char** argv) {
  Options options;
  bool has_secret = false;
  for (int i = 1; i < argc; ++i) {
    const std::string flag = argv[i];
    if (flag == "--help" || flag == "-h") return std::nullopt;
    if (flag == "--quiet") {
      options.quiet = true;
      continue;
    }
    if (i + 1 >= argc) {
      std::cerr << "missing value for " << flag << "\n";
      return std::nullopt;
    }
    const std::string value = argv[++i];
    try {
      if (flag == "--host")
        options.listen.host = value;
      else if (flag == "--port")
        options.listen.port = std::stoi(value);
      else if (flag == "--port-file")
        options.listen.port_file = value;
      else if (flag == "--threads")
        options.listen.threads = static_cast<std::size_t>(std::stoul(value));
      else if (flag == "--secret") {
        options.secret = value;
        has_secret = true;
      } else if (flag == "--max-skew-s")
        options.max_skew = std::chrono::seconds{std::stol(value)};
      else {
        std::cerr << "unknown flag " << flag << "\n";
        return std::nullopt;
      }
    } catch (const std::exception&) {
      std::cerr << "bad value for " << flag << "\n";
      return std::nullopt;
    }
  }
  if (!has_secret) {
    std::cerr << "--secret is required: a receiver that accepts unsigned pushes tests nothing\n";
    return std::nullopt;
  }
  if (options.listen.port < 0 || options.listen.port > 65535 || options.listen.threads == 0 ||
      options.max_skew.count() < 0)
    return std::nullopt;
  return options;
}

std::string problem(int status, const std::string& title, const std::string& detail, const std::string& field = "") {
  nlohmann::json body{{"type", "about:blank"}, {"title", title}, {"status", status}, {"detail", detail}};
  if (!field.empty()) body["invalid_params"] = nlohmann::json::array({{{"name", field}, {"reason", detail}}});
  return body.dump();
}

}  // namespace

int main(int argc, char** argv) {
  auto options = parse_options(argc, argv);
  if (!options) {
    usage();
    return 2;
  }
  kit::block_stop_signals();

  // A 400 for "reject": the receiver refusing the event is final for the gateway (dead letter).
  kit::FaultPlan faults(kit::FaultDefaults{.error_status = 503, .reject_status = 400});
  cs::ReceivedEvents received;
  kit::StopSignal stop;
  httplib::Server server;
  const bool quiet = options->quiet;

  const auto receive = [&](const httplib::Request& request, httplib::Response& response) {
    received.count_request();
    // fail_first counts attempts per outbox message; the Idempotency-Key is stable across retries.
    std::string key = request.get_header_value("Idempotency-Key");
    if (key.empty()) key = request.get_header_value("Knutpunkt-Event-Id");
    const auto fault = faults.decide(key);
    if (fault.latency.count() > 0) stop.sleep_for(fault.latency);
    if (fault.action == kit::FaultAction::reply || fault.action == kit::FaultAction::reset) {
      received.count_fault();
      if (!quiet)
        std::cerr << "webhook fault=" << kit::mode_name(fault.mode) << " key=" << key << " status=" << fault.status
                  << std::endl;
      if (fault.action == kit::FaultAction::reset) {
        if (!kit::abort_connection(request)) kit::abort_by_truncation(response);
        return;
      }
      response.status = fault.status;
      if (!fault.retry_after.empty()) response.set_header("Retry-After", fault.retry_after);
      response.set_content(problem(fault.status, "Simulated fault", std::string(kit::mode_name(fault.mode))),
                           kProblem);
      return;
    }

    const auto verdict =
        cs::verify_signature(request.get_header_value("Knutpunkt-Signature"), request.body, options->secret,
                             options->max_skew, std::chrono::system_clock::now());
    if (verdict != cs::SignatureVerdict::valid) {
      received.count_bad_signature();
      if (!quiet) std::cerr << "webhook signature=" << cs::verdict_name(verdict) << " key=" << key << std::endl;
      response.status = 401;
      response.set_content(problem(401, "Bad signature", std::string(cs::verdict_name(verdict)), "Knutpunkt-Signature"),
                           kProblem);
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
      received.count_invalid();
      if (!quiet) std::cerr << "webhook invalid field=" << wrong << " key=" << key << std::endl;
      response.status = 400;
      response.set_content(problem(400, "Not a case event envelope", "missing or not a string", wrong), kProblem);
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
      received.count_lost_reply();
      if (!kit::abort_connection(request)) kit::abort_by_truncation(response);
      return;
    }
    response.status = 200;
    response.set_content(nlohmann::json{{"received", true}, {"duplicate", duplicate}, {"event_id", event_id}}.dump(),
                         kJson);
  };
  server.Post("/webhook", receive);
  server.Post(R"(/webhook/.*)", receive);

  server.Put("/_recv/faults", [&](const httplib::Request& request, httplib::Response& response) {
    const auto body = nlohmann::json::parse(request.body, nullptr, false);
    auto spec = body.is_discarded() ? std::unexpected(kit::FaultSpecError{"", "the body is not JSON"})
                                    : kit::parse_fault_spec(body);
    if (!spec) {
      response.status = 400;
      response.set_content(problem(400, "Invalid fault", spec.error().message, spec.error().field), kProblem);
      return;
    }
    std::cerr << "faults set " << kit::describe(*spec).dump() << std::endl;
    faults.set(*spec);
    response.set_content(faults.describe().dump(), kJson);
  });
  server.Get("/_recv/faults", [&](const httplib::Request&, httplib::Response& response) {
    response.set_content(faults.describe().dump(), kJson);
  });
  server.Delete("/_recv/faults", [&](const httplib::Request&, httplib::Response& response) {
    faults.clear();
    std::cerr << "faults cleared" << std::endl;
    response.status = 204;
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
