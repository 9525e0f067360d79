// sip-region-sim: a region's system (a vårdcentral, a psykiatrisk mottagning) taking part in a
// samordnad individuell plan, on loopback, speaking the wire protocol of
// adapters/sip_region/README.md. Takes kallelser (POST /sip/kallelser), plan versions
// (PUT /sip/planer/{planId}) and notices (POST /sip/planer/{planId}/meddelanden), applies each once
// per Idempotency-Key, and answers each new kallelse with a SVAR to the gateway (--auto-reply).
// /_sim/ is the control API for tests: received messages, plan views, faults, a down switch,
// replies and change proposals on demand.
// stdout carries one JSON line, {"event":"listening","port":N}; stderr logs carry message and plan
// ids and counts only, never personnummer or names.
#include <httplib.h>

#include <atomic>
#include <chrono>
#include <iostream>
#include <nlohmann/json.hpp>
#include <optional>
#include <stdexcept>
#include <string>

#include "command_line.h"
#include "connection_abort.h"
#include "core/digest.h"
#include "fault_control.h"
#include "problem.h"
#include "region_messages.h"
#include "region_register.h"
#include "serve.h"
#include "wire_check.h"

namespace kit = knutpunkt::simulator_kit;
namespace sim = knutpunkt::sip_region_simulator;
using nlohmann::json;

namespace {

using kit::kJson;
using kit::kProblemJson;

enum class AutoReply { accept, decline, none };

struct Options {
  kit::Listen listen{.host = "127.0.0.1", .port = 18085, .port_file = std::nullopt, .threads = 16, .tls = {}};
  std::string token;  // empty: any (or no) bearer token is accepted
  kit::PartnerGateway gateway{.url = "", .token = "", .adapter = "sip_region", .tls = {}};
  AutoReply auto_reply = AutoReply::accept;
  std::chrono::milliseconds reply_delay{200};
  bool quiet = false;
};

constexpr const char* kUsage =
    "usage: sip-region-sim [--host H] [--port N (0 = ephemeral; default 18085)] [--port-file PATH]\n"
    "                      [--threads N (16)] [--token T] [--gateway URL] [--gateway-token T]\n"
    "                      [--adapter NAME (sip_region)] [--auto-reply accept|decline|none (accept)]\n"
    "                      [--reply-delay-ms N (200)] [--quiet]\n"
    "                      [--gateway-ca PATH [--gateway-cert PATH --gateway-key PATH]]\n"
    "                      [--tls-cert PATH --tls-key PATH [--client-ca PATH]]\n";

std::optional<Options> parse_options(int argc, char** argv) {
  Options options;
  const bool read = kit::read_flags(argc, argv, {"--quiet"}, [&](const std::string& flag, const std::string& value) {
    if (kit::read_listen_flag(options.listen, flag, value) || kit::read_gateway_flag(options.gateway, flag, value))
      return true;
    if (flag == "--quiet")
      options.quiet = true;
    else if (flag == "--token")
      options.token = value;
    else if (flag == "--auto-reply") {
      if (value == "accept")
        options.auto_reply = AutoReply::accept;
      else if (value == "decline")
        options.auto_reply = AutoReply::decline;
      else if (value == "none")
        options.auto_reply = AutoReply::none;
      else
        throw std::invalid_argument(value);
    } else if (flag == "--reply-delay-ms")
      options.reply_delay = std::chrono::milliseconds{std::stol(value)};
    else
      return false;
    return true;
  });
  if (!read || !kit::usable(options.listen) || !kit::usable(options.gateway) || options.reply_delay.count() < 0)
    return std::nullopt;
  return options;
}

void answer_problem(httplib::Response& response, int status, const std::string& title, const std::string& detail) {
  response.status = status;
  response.set_content(kit::problem(status, title, detail).dump(), kProblemJson);
}

void answer_fel(httplib::Response& response, int status, const std::string& title,
                const std::vector<sim::FieldError>& errors) {
  auto body = kit::problem(status, title, "se fel");
  body["fel"] = json::array();
  for (const auto& e : errors) body["fel"].push_back(json{{"falt", e.falt}, {"orsak", e.orsak}});
  response.status = status;
  response.set_content(body.dump(), kProblemJson);
}

json describe_reply(const kit::CallbackReply& reply, const json& sent) {
  json out{{"sent", sent},
           {"meddelandeId", sent["meddelandeId"]},
           {"gateway_status", reply.status},
           {"gateway_body", reply.body}};
  if (!reply.error.empty()) out["error"] = reply.error;
  return out;
}

// A request body that is a JSON object, or nullopt after answering 400.
std::optional<json> object_body(const httplib::Request& request, httplib::Response& response) {
  auto body = json::parse(request.body, nullptr, false);
  if (body.is_discarded() || !body.is_object()) {
    answer_problem(response, 400, "Invalid body", "a JSON object is required");
    return std::nullopt;
  }
  return body;
}

std::optional<std::string> text_member(const json& body, const char* key, httplib::Response& response) {
  auto it = body.find(key);
  if (it == body.end() || !it->is_string() || it->get_ref<const std::string&>().empty()) {
    answer_problem(response, 400, "Invalid body", std::string(key) + " is required (a string)");
    return std::nullopt;
  }
  return it->get<std::string>();
}

}  // namespace

int main(int argc, char** argv) {
  auto options = parse_options(argc, argv);
  if (!options) return kit::refuse_command_line(kUsage);
  kit::block_stop_signals();
  if (options->auto_reply != AutoReply::none && options->gateway.url.empty()) {
    std::cerr << "no --gateway: automatic replies are off" << std::endl;
    options->auto_reply = AutoReply::none;
  }

  kit::FaultPlan faults(kit::FaultDefaults{.error_status = 503, .reject_status = 400});
  sim::RegionRegister region;
  kit::CallbackSender sender(kit::CallbackSettings{.target = options->gateway.target(),
                                                   .delay = options->reply_delay,
                                                   .retry = {},
                                                   .threads = 2,
                                                   .log_gave_up = {}});
  kit::StopSignal stop;
  auto made_server = kit::make_server(options->listen.tls);
  if (!made_server) {
    std::cerr << made_server.error() << std::endl;
    return 1;
  }
  httplib::Server& server = **made_server;
  const bool quiet = options->quiet;
  const std::string expected_authorization = options->token.empty() ? "" : "Bearer " + options->token;
  std::atomic<bool> malformed_replies{false};

  // One handler for the three wire endpoints; `endpoint` says which, `path_plan_id` is {planId}.
  const auto take = [&](sim::Endpoint endpoint, const std::string& path_plan_id, const httplib::Request& request,
                        httplib::Response& response) {
    region.count(sim::Counted::received);
    const std::string key = request.get_header_value("Idempotency-Key");
    // Faults model what stands in front of the region's system (a proxy, an overloaded host), so
    // they come before authentication and validation, and a failed request has no effect at all.
    const auto fault = faults.decide(key);
    if (fault.latency.count() > 0) stop.sleep_for(fault.latency);
    if (fault.fails_without_effect()) {
      region.count(sim::Counted::failed_by_fault);
      if (!quiet)
        std::cerr << "message key=" << key << " fault=" << kit::mode_name(fault.mode) << " status=" << fault.status
                  << std::endl;
      kit::answer_fault(fault, request, response,
                        kit::problem(fault.status, "Simulated fault", std::string(kit::mode_name(fault.mode))).dump(),
                        kProblemJson);
      return;
    }
    if (!expected_authorization.empty() &&
        !knutpunkt::constant_time_equal(request.get_header_value("Authorization"), expected_authorization)) {
      region.count(sim::Counted::unauthorized);
      if (!quiet) std::cerr << "message key=" << key << " unauthorized" << std::endl;
      answer_problem(response, 401, "Unauthorized", "ogiltig eller saknad token");
      return;
    }
    const auto body = json::parse(request.body, nullptr, false);
    auto errors = body.is_discarded() ? std::vector<sim::FieldError>{{"", "inte giltig JSON"}}
                                      : sim::check_message(endpoint, body, path_plan_id);
    if (key.empty())
      errors.push_back({"Idempotency-Key", "saknas"});
    else if (errors.empty() && body["meddelandeId"].get<std::string>() != key)
      // The key is the outbox message id, so it must name this very message.
      errors.push_back({"Idempotency-Key", "ska vara lika med meddelandeId"});
    if (!errors.empty()) {
      region.count(sim::Counted::invalid);
      if (!quiet) {
        std::cerr << "message key=" << key << " invalid fields=";
        for (const auto& e : errors) std::cerr << (e.falt.empty() ? "(body)" : e.falt) << ";";
        std::cerr << std::endl;
      }
      answer_fel(response, 400, "Invalid message", errors);
      return;
    }

    const auto answer = region.accept(key, request.body, body);
    const std::string plan_id = body["planId"].get<std::string>();
    if (!quiet)
      std::cerr << "message key=" << key << " typ=" << body["meddelandetyp"].get<std::string>() << " plan=" << plan_id
                << " version=" << body["planversion"] << " status=" << answer.status
                << (answer.duplicate ? " duplicate" : "") << std::endl;
    if (answer.new_invitation && options->auto_reply != AutoReply::none) {
      const std::string participant = body["mottagare"]["deltagarId"].get<std::string>();
      const bool deltar = options->auto_reply == AutoReply::accept;
      // Made at its first attempt, so the SVAR's tidpunkt is when it was sent.
      sender.enqueue(plan_id + "/" + participant,
                     std::vector<kit::CallbackMaker>{[&region, plan_id, participant, deltar] {
                       auto message = sim::svar(plan_id, participant, deltar);
                       region.note_sent(plan_id, json{{"meddelandetyp", "SVAR"},
                                                      {"meddelandeId", message["meddelandeId"]},
                                                      {"deltagarId", participant},
                                                      {"svar", message["svar"]},
                                                      {"automatic", true}});
                       return kit::Callback{message["meddelandeId"].get<std::string>(), message.dump()};
                     }});
    }
    if (fault.action == kit::FaultAction::lost_reply) {
      // Applied, then the reply is lost: only the Idempotency-Key keeps the retry from acting twice.
      region.count(sim::Counted::lost_replies);
      kit::reset_connection(request, response);
      return;
    }
    response.status = answer.status;
    if (malformed_replies.load())
      response.set_content(answer.body.dump().substr(0, 12), kJson);  // cut short: not JSON
    else
      response.set_content(answer.body.dump(), answer.status >= 400 ? kProblemJson : kJson);
  };

  server.Post("/sip/kallelser", [&](const httplib::Request& request, httplib::Response& response) {
    take(sim::Endpoint::kallelser, "", request, response);
  });
  server.Put(R"(/sip/planer/([^/]+))", [&](const httplib::Request& request, httplib::Response& response) {
    take(sim::Endpoint::plan, request.matches[1].str(), request, response);
  });
  server.Post(R"(/sip/planer/([^/]+)/meddelanden)", [&](const httplib::Request& request, httplib::Response& response) {
    take(sim::Endpoint::meddelanden, request.matches[1].str(), request, response);
  });

  // --- control API ---------------------------------------------------------------------------
  kit::serve_fault_control(server, "/_sim", faults, [](const kit::FaultSpecError& error) {
    auto detail = kit::problem(400, "Invalid fault", error.message);
    detail["field"] = error.field;
    return detail.dump();
  });
  // The down switch is a fault plan like any other (it replaces one set at /_sim/faults):
  // every wire request answers 503 ({"mode":"error"}, the default) or has its connection reset
  // ({"mode":"reset"}) until DELETE.
  server.Put("/_sim/down", [&](const httplib::Request& request, httplib::Response& response,
                               const httplib::ContentReader& content_reader) {
    std::string text;
    if (request.has_header("Content-Length") || request.has_header("Transfer-Encoding"))
      content_reader([&](const char* data, std::size_t size) {
        text.append(data, size);
        return true;
      });
    json body = text.empty() ? json::object() : json::parse(text, nullptr, false);
    const std::string mode = body.is_object() && body.contains("mode") && body["mode"].is_string()
                                 ? body["mode"].get<std::string>()
                                 : "error";
    if (body.is_discarded() || !body.is_object() || (mode != "error" && mode != "reset")) {
      answer_problem(response, 400, "Invalid body", "{\"mode\": \"error\" | \"reset\"} or no body");
      return;
    }
    auto spec = kit::parse_fault_spec(json{{"mode", mode}});
    faults.set(*spec);
    std::cerr << "down mode=" << mode << std::endl;
    response.set_content(json{{"down", true}, {"faults", faults.describe()}}.dump(), kJson);
  });
  server.Delete("/_sim/down", [&](const httplib::Request&, httplib::Response& response) {
    faults.clear();
    std::cerr << "up" << std::endl;
    response.status = 204;
  });
  server.Put("/_sim/malformed", [&](const httplib::Request& request, httplib::Response& response) {
    auto body = object_body(request, response);
    if (!body) return;
    if (!body->contains("enabled") || !(*body)["enabled"].is_boolean()) {
      answer_problem(response, 400, "Invalid body", "{\"enabled\": true | false}");
      return;
    }
    malformed_replies = (*body)["enabled"].get<bool>();
    response.set_content(json{{"malformed_replies", malformed_replies.load()}}.dump(), kJson);
  });

  server.Get("/_sim/health", [](const httplib::Request&, httplib::Response& response) {
    response.set_content(R"({"status":"ok"})", kJson);
  });
  server.Get("/_sim/stats", [&](const httplib::Request&, httplib::Response& response) {
    auto stats = region.stats();
    stats["replies"] = sender.stats();
    response.set_content(stats.dump(), kJson);
  });
  server.Delete("/_sim/stats", [&](const httplib::Request&, httplib::Response& response) {
    // Counters, dedup memory, plans and reply queues go together: the next test starts from nothing.
    region.reset();
    sender.reset();
    std::cerr << "state reset" << std::endl;
    response.status = 204;
  });
  server.Get("/_sim/received", [&](const httplib::Request& request, httplib::Response& response) {
    std::optional<std::string> plan_id;
    if (request.has_param("plan_id")) plan_id = request.get_param_value("plan_id");
    response.set_content(json{{"messages", region.received(plan_id)}}.dump(), kJson);
  });
  server.Get(R"(/_sim/plans/([^/]+))", [&](const httplib::Request& request, httplib::Response& response) {
    auto view = region.plan_view(request.matches[1].str());
    if (!view) {
      answer_problem(response, 404, "Unknown plan", "this region has received nothing about this plan");
      return;
    }
    // What became of each reply this region sent, as the gateway answered it.
    for (auto& sent : (*view)["sent"]) {
      if (auto record = sender.record(sent["meddelandeId"].get<std::string>())) sent["delivery"] = kit::describe(*record);
    }
    response.set_content(view->dump(), kJson);
  });

  // Replies and proposals on demand go to the gateway; without --gateway there is nowhere to send them.
  const auto refused_without_gateway = [&](httplib::Response& response) {
    if (!options->gateway.url.empty()) return false;
    answer_problem(response, 409, "No gateway", "start the simulator with --gateway URL");
    return true;
  };
  const auto send_now = [&](const std::string& plan_id, const std::string& participant, const json& message,
                            json note, httplib::Response& response) {
    const std::string id = message["meddelandeId"].get<std::string>();
    note["meddelandeId"] = id;
    note["deltagarId"] = participant;
    note["automatic"] = false;
    region.note_sent(plan_id, std::move(note));
    const auto reply = sender.send_once(plan_id + "/" + participant, kit::Callback{id, message.dump()});
    if (!quiet)
      std::cerr << "sent " << message["meddelandetyp"].get<std::string>() << " meddelandeId=" << id
                << " plan=" << plan_id << " gateway_status=" << reply.status << std::endl;
    response.set_content(describe_reply(reply, message).dump(), kJson);
  };
  server.Post("/_sim/replies", [&](const httplib::Request& request, httplib::Response& response) {
    if (refused_without_gateway(response)) return;
    auto body = object_body(request, response);
    if (!body) return;
    auto plan_id = text_member(*body, "plan_id", response);
    if (!plan_id) return;
    auto participant = text_member(*body, "participant_id", response);
    if (!participant) return;
    auto reply = text_member(*body, "reply", response);
    if (!reply) return;
    if (*reply != "accepted" && *reply != "declined") {
      answer_problem(response, 400, "Invalid body", "reply must be accepted or declined");
      return;
    }
    const auto message = sim::svar(*plan_id, *participant, *reply == "accepted");
    send_now(*plan_id, *participant, message, json{{"meddelandetyp", "SVAR"}, {"svar", message["svar"]}}, response);
  });
  server.Post("/_sim/proposals", [&](const httplib::Request& request, httplib::Response& response) {
    if (refused_without_gateway(response)) return;
    auto body = object_body(request, response);
    if (!body) return;
    auto plan_id = text_member(*body, "plan_id", response);
    if (!plan_id) return;
    auto participant = text_member(*body, "participant_id", response);
    if (!participant) return;
    auto summary = text_member(*body, "summary", response);
    if (!summary) return;
    const json insatser = body->value("insatser", json());
    if (!insatser.is_null() && !insatser.is_array()) {
      answer_problem(response, 400, "Invalid body", "insatser must be an array");
      return;
    }
    const auto message = sim::andringsforslag(*plan_id, *participant, *summary, insatser);
    send_now(*plan_id, *participant, message, json{{"meddelandetyp", "ANDRINGSFORSLAG"}}, response);
  });

  if (options->auto_reply != AutoReply::none || !options->gateway.url.empty()) sender.start();
  std::cerr << "auto-reply "
            << (options->auto_reply == AutoReply::accept    ? "accept"
                : options->auto_reply == AutoReply::decline ? "decline"
                                                            : "none")
            << " gateway=" << options->gateway.url << " adapter=" << options->gateway.adapter << std::endl;
  const int code = kit::serve(server, options->listen, stop, [&] { sender.stop(); });
  sender.stop();
  return code;
}
