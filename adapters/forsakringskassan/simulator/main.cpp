// forsakringskassan-simulator: Försäkringskassan on loopback, speaking the protocol of
// adapters/forsakringskassan/README.md: LEFI hamtaFormansinformation (v9 shape), pending
// applications, LEFI's tillgangligaInformationstyper as a health call, and återsökningar (taken
// once per Idempotency-Key, answered later by a decision notification pushed to the gateway with
// --gateway). Answers come from the test persons in persons.json. /_sim/ is the control API for
// tests: HTTP faults (simulator kit), sub-systems that do not answer (avvikelser), decision
// notifications on demand, stats and health.
// stdout carries one JSON line, {"event":"listening","port":N}; stderr logs carry the service,
// outcome and counts only, never personnummer or names.
#include <httplib.h>

#include <array>
#include <fstream>
#include <iostream>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <regex>
#include <string>

#include "command_line.h"
#include "counters.h"
#include "fault_control.h"
#include "atersokning_register.h"
#include "beslutsnotifiering.h"
#include "callback_sender.h"
#include "connection_abort.h"
#include "core/clock.h"
#include "core/ids.h"
#include "lefi_answer.h"
#include "problem.h"
#include "serve.h"

namespace kit = knutpunkt::simulator_kit;
namespace fs = knutpunkt::fk_simulator;

namespace {

using kit::kJson;
using kit::kProblemJson;

struct Options {
  kit::Listen listen{.host = "127.0.0.1", .port = 18083, .port_file = std::nullopt, .threads = 32, .tls = {}};
  std::string token;     // empty: any (or no) bearer token is accepted
  std::string aktorsid;  // empty: any actor id is accepted
  std::string persons = FK_SIMULATOR_PERSONS;
  bool quiet = false;
  // Empty url: no notifications are pushed.
  kit::PartnerGateway gateway{.url = "", .token = "", .adapter = "forsakringskassan", .tls = {}};
  std::chrono::milliseconds notify_delay{200};
};

constexpr const char* kUsage =
    "usage: forsakringskassan-simulator [--host H] [--port N (0 = ephemeral; default 18083)] [--port-file PATH]\n"
    "                                   [--threads N (32)] [--token T] [--aktorsid ID] [--persons PATH] [--quiet]\n"
    "                                   [--gateway URL] [--gateway-token T] [--adapter NAME (forsakringskassan)]\n"
    "                                   [--gateway-ca PATH [--gateway-cert PATH --gateway-key PATH]]\n"
    "                                   [--notify-delay-ms N (200)]\n"
    "                                   [--tls-cert PATH --tls-key PATH [--client-ca PATH]]\n";

std::optional<Options> parse_options(int argc, char** argv) {
  Options options;
  const bool read = kit::read_flags(argc, argv, {"--quiet"}, [&](const std::string& flag, const std::string& value) {
    if (kit::read_listen_flag(options.listen, flag, value) || kit::read_gateway_flag(options.gateway, flag, value))
      return true;
    if (flag == "--token")
      options.token = value;
    else if (flag == "--aktorsid")
      options.aktorsid = value;
    else if (flag == "--persons")
      options.persons = value;
    else if (flag == "--quiet")
      options.quiet = true;
    else if (flag == "--notify-delay-ms")
      options.notify_delay = std::chrono::milliseconds{std::stoll(value)};
    else
      return false;
    return true;
  });
  if (!read || !kit::usable(options.listen) || !kit::usable(options.gateway) || options.notify_delay.count() < 0)
    return std::nullopt;
  return options;
}

enum class Counted {
  formaner,
  pagaende,
  health,
  refused,
  unauthorised,
  failed_by_fault,
  avvikelser,
  atersokningar,           // återsökning requests that passed authentication and faults
  atersokning_duplicates,  // the same Idempotency-Key again: the first answer, no second effect
  atersokning_conflicts,   // an atersokningsId already received under another key: 409
  lost_replies,            // took effect, then the connection was reset (fault lost_reply)
  count_
};
constexpr std::array<std::string_view, 11> kCountedNames = {
    "formaner",      "pagaende",      "health",       "refused_400", "unauthorised", "failed_by_fault",
    "avvikelser",    "atersokningar", "atersokning_duplicates", "atersokning_conflicts", "lost_replies"};

// Sub-systems forced silent through PUT /_sim/avvikelser, shared by the worker threads.
class SilentControl {
 public:
  void set(fs::SilentSubsystems silent) {
    std::lock_guard lock(mutex_);
    silent_ = std::move(silent);
  }
  fs::SilentSubsystems get() const {
    std::lock_guard lock(mutex_);
    return silent_;
  }

 private:
  mutable std::mutex mutex_;
  fs::SilentSubsystems silent_;
};

nlohmann::json describe(const fs::SilentSubsystems& silent) {
  return {{"classes", silent.classes}, {"code", silent.code}};
}

void log_notification_gave_up(const kit::CallbackRecord& notification) {
  std::cerr << "notification gave up notifieringsId=" << notification.id << " status=" << notification.last_status
            << std::endl;
}

std::size_t count_avvikelser(const nlohmann::json& answer) {
  std::size_t n = 0;
  for (const auto& [_, list] : answer["avvikelser"].items()) n += list.size();
  return n;
}

}  // namespace

int main(int argc, char** argv) {
  auto options = parse_options(argc, argv);
  if (!options) return kit::refuse_command_line(kUsage);
  kit::block_stop_signals();

  nlohmann::json persons;
  {
    std::ifstream in(options->persons);
    const auto document = nlohmann::json::parse(in, nullptr, false);
    if (!in || document.is_discarded() || !document.contains("persons") || !document["persons"].is_object()) {
      std::cerr << "cannot read test persons from " << options->persons << std::endl;
      return 1;
    }
    persons = document["persons"];
  }

  kit::Counters<Counted, kCountedNames.size()> counters(kCountedNames);
  kit::FaultPlan faults(kit::FaultDefaults{.error_status = 503, .reject_status = 400});
  SilentControl silent;
  fs::AtersokningRegister register_;
  // One thread and a lane per notification: notifications are independent of each other, unlike
  // Jobbtorg's reports on one referral, so nothing waits for another.
  kit::CallbackSender sender(kit::CallbackSettings{.target = options->gateway.target(),
                                                   .delay = options->notify_delay,
                                                   .retry = {},
                                                   .threads = 1,
                                                   .log_gave_up = log_notification_gave_up});
  sender.start();
  kit::StopSignal stop;
  auto made_server = kit::make_server(options->listen.tls);
  if (!made_server) {
    std::cerr << made_server.error() << std::endl;
    return 1;
  }
  httplib::Server& server = **made_server;
  const bool quiet = options->quiet;

  // Bearer token and actor, as LEFI checks them: 401 without a valid token, 403 for an actor the
  // caller may not represent. True when the request may proceed.
  const auto admitted = [&](const httplib::Request& request, httplib::Response& response,
                            const std::string& fault_key) -> std::optional<kit::FaultDecision> {
    if (!options->token.empty() && request.get_header_value("Authorization") != "Bearer " + options->token) {
      counters.add(Counted::unauthorised);
      response.status = 401;
      response.set_content(fs::felsvar("Anroparen är inte autentiserad").dump(), kJson);
      return std::nullopt;
    }
    if (!options->aktorsid.empty() && request.matches[1].str() != options->aktorsid) {
      counters.add(Counted::unauthorised);
      response.status = 403;
      response.set_content(fs::felsvar("Anroparen får inte företräda den angivna aktören").dump(), kJson);
      return std::nullopt;
    }
    const auto fault = faults.decide(fault_key);
    if (fault.latency.count() > 0) stop.sleep_for(fault.latency);
    if (fault.fails_without_effect()) {
      counters.add(Counted::failed_by_fault);
      if (!quiet) std::cerr << "fault=" << kit::mode_name(fault.mode) << " status=" << fault.status << std::endl;
      kit::answer_fault(fault, request, response,
                        fs::felsvar("Simulerat fel (" + std::string(kit::mode_name(fault.mode)) + ")").dump(), kJson);
      return std::nullopt;
    }
    return fault;
  };

  const auto answer = [&](fs::Service service, Counted counted, const httplib::Request& request,
                          httplib::Response& response) {
    if (!admitted(request, response, request.get_header_value("X-Request-Id"))) return;
    counters.add(counted);
    auto question = fs::check_question(request.body, service);
    if (!question) {
      counters.add(Counted::refused);
      if (!quiet) std::cerr << "question refused status=" << question.error().status << std::endl;
      response.status = question.error().status;
      response.set_content(fs::felsvar(question.error().meddelande).dump(), kJson);
      return;
    }
    const auto& person = fs::find_person(persons, question->personnummer);
    nlohmann::json body;
    if (service == fs::Service::formaner) {
      body = fs::formaner_answer(*question, person, silent.get());
      const auto deviations = count_avvikelser(body);
      for (std::size_t i = 0; i < deviations; ++i) counters.add(Counted::avvikelser);
      if (!quiet) std::cerr << "formansinformation avvikelser=" << deviations << std::endl;
    } else {
      body = fs::pagaende_answer(*question, person);
      if (!quiet) std::cerr << "pagaende arenden=" << body["arenden"].size() << std::endl;
    }
    response.set_content(body.dump(2), kJson);
  };

  server.Post(R"(/lefi-extern-formansinformation/v9/aktorer/([A-Za-z0-9-]+)/formansinformation/fraga)",
              [&](const httplib::Request& request, httplib::Response& response) {
                answer(fs::Service::formaner, Counted::formaner, request, response);
              });
  server.Post(R"(/fk-pagaende-arenden/v1/aktorer/([A-Za-z0-9-]+)/arenden/fraga)",
              [&](const httplib::Request& request, httplib::Response& response) {
                answer(fs::Service::pagaende, Counted::pagaende, request, response);
              });
  server.Get(R"(/lefi-extern-formansinformation/v9/aktorer/([A-Za-z0-9-]+)/tillgangligaInformationstyper)",
             [&](const httplib::Request& request, httplib::Response& response) {
               if (!admitted(request, response, request.get_header_value("X-Request-Id"))) return;
               counters.add(Counted::health);
               const nlohmann::json types{
                   {"utlamnare",
                    {{{"utlamnare", {{"kod", "FK"}, {"namn", "Försäkringskassan"}}},
                      {"tillstand", {{"kod", "OK"}, {"beskrivning", "Tillgänglig"}}}}}},
                   {"formansinformation", {{{"kod", "FK:BOB"}, {"beskrivning", "Bostadsbidrag"}}}},
                   {"utbetalningar", {{{"kod", "FK:BOB"}, {"beskrivning", "Bostadsbidrag"}}}},
                   {"ovrigInformation", {{{"kod", "FK:GEPI"}, {"beskrivning", "Generell personinformation"}}}}};
               response.set_content(types.dump(), kJson);
             });

  // Återsökning (schemas/forsakringskassan/atersokning.schema.json). The fault is keyed by the
  // Idempotency-Key, so fail_first fails each message's first attempts and then lets it through.
  server.Post(R"(/fk-atersokning/v1/aktorer/([A-Za-z0-9-]+)/atersokningar)",
              [&](const httplib::Request& request, httplib::Response& response) {
    const std::string key = request.get_header_value("Idempotency-Key");
    const auto fault = admitted(request, response, key);
    if (!fault) return;
    counters.add(Counted::atersokningar);
    const auto refuse = [&](int status, const fs::FieldRefusal& refusal) {
      counters.add(Counted::refused);
      if (!quiet) std::cerr << "atersokning refused status=" << status << " falt=" << refusal.falt << std::endl;
      response.status = status;
      response.set_content(fs::felsvar(refusal).dump(), kJson);
    };
    static const std::regex key_form("[A-Za-z0-9-]{1,128}");
    if (key.empty()) return refuse(400, {"Idempotency-Key", "Huvudet Idempotency-Key saknas"});
    if (!std::regex_match(key, key_form)) return refuse(400, {"Idempotency-Key", "Huvudet Idempotency-Key har fel format"});
    const auto body = nlohmann::json::parse(request.body, nullptr, false);
    if (body.is_discarded()) return refuse(400, {"", "Begäran är inte giltig JSON"});
    if (auto refusal = fs::check_atersokning(body)) return refuse(400, *refusal);

    const auto acceptance = register_.accept(key, body);
    if (acceptance.verdict == fs::Verdict::conflict) {
      counters.add(Counted::atersokning_conflicts);
      if (!quiet) std::cerr << "atersokning conflict key=" << key << std::endl;
      response.status = 409;
      response.set_content(fs::felsvar(fs::FieldRefusal{"/atersokningsId",
                                                        "Återsökningen är redan mottagen med en annan Idempotency-Key"})
                               .dump(),
                           kJson);
      return;
    }
    const bool duplicate = acceptance.verdict == fs::Verdict::duplicate;
    if (duplicate) counters.add(Counted::atersokning_duplicates);
    if (!quiet) {
      std::cerr << "atersokning key=" << key << " atersokningsId=" << acceptance.claim.atersokningsId
                << (duplicate ? " duplicate" : " accepted") << std::endl;
    }
    if (!duplicate && sender.configured()) {
      // FK decides later; the decision is pushed to the gateway as a notification.
      const auto& id = acceptance.claim.notifieringsId;
      // The wire form is fixed now, so every retry repeats the same bytes and notifieringsId.
      const auto notification = fs::build_notification(id, knutpunkt::now_utc(), fs::decision_on(acceptance.claim));
      sender.enqueue(id, kit::Callback{id, notification.dump()});
    }
    if (fault->action == kit::FaultAction::lost_reply) {
      // Applied, then the reply is lost: only the Idempotency-Key keeps the retry from acting twice.
      counters.add(Counted::lost_replies);
      kit::reset_connection(request, response);
      return;
    }
    response.status = duplicate ? 200 : 201;
    response.set_content(acceptance.reply.dump(), kJson);
  });

  // POST /_sim/notifications: FK decides about any person now (beslutsnotifiering.h for the body).
  // The notification goes once plus `duplicates` times with the same notifieringsId, each a single
  // attempt from this thread; the reply lists the gateway's statuses in order.
  server.Post("/_sim/notifications", [&](const httplib::Request& request, httplib::Response& response) {
    const auto refuse = [&](int status, const std::string& field, const std::string& message) {
      auto detail = kit::problem(status, "Invalid notification", message);
      detail["field"] = field;
      response.status = status;
      response.set_content(detail.dump(), kProblemJson);
    };
    if (!sender.configured()) return refuse(409, "", "start the simulator with --gateway URL");
    const auto body = nlohmann::json::parse(request.body, nullptr, false);
    auto order = fs::read_notification_order(body, persons);
    if (!order) return refuse(400, order.error().falt, order.error().meddelande);
    const std::string id = "FKN-" + knutpunkt::new_uuid();
    const std::string text = fs::build_notification(id, knutpunkt::now_utc(), order->decision).dump();
    nlohmann::json statuses = nlohmann::json::array();
    nlohmann::json bodies = nlohmann::json::array();
    for (int i = 0; i <= order->duplicates; ++i) {
      const auto reply = sender.send_once(id, kit::Callback{id, text});
      statuses.push_back(reply.status);
      bodies.push_back(reply.status == 0 ? nlohmann::json(reply.error) : reply.body);
    }
    if (!quiet) {
      std::cerr << "notification notifieringsId=" << id << " sends=" << statuses.size()
                << " gateway_statuses=" << statuses.dump() << std::endl;
    }
    response.set_content(
        nlohmann::json{{"notifieringsId", id}, {"gateway_statuses", statuses}, {"gateway_bodies", bodies}}.dump(),
        kJson);
  });
  server.Get("/_sim/atersokningar", [&](const httplib::Request&, httplib::Response& response) {
    auto list = register_.list();
    for (auto& item : list) {
      const auto record = sender.record(item["notifieringsId"].get<std::string>());
      item["notification"] = record ? kit::describe(*record) : nlohmann::json(nullptr);
    }
    response.set_content(nlohmann::json{{"atersokningar", list}}.dump(), kJson);
  });

  kit::serve_fault_control(server, "/_sim", faults, [](const kit::FaultSpecError& error) {
    auto detail = kit::problem(400, "Invalid fault", error.message);
    if (!error.field.empty()) detail["field"] = error.field;
    return detail.dump();
  });
  // {"classes": ["utbetalningar", ...], "code": "INTERNT_FEL" | "OBEHORIG"}: until cleared, every
  // FORMANER answer reports the requested groups of those classes as avvikelser and leaves their
  // data out (status 200), as LEFI does when a sub-system does not answer.
  server.Put("/_sim/avvikelser", [&](const httplib::Request& request, httplib::Response& response) {
    const auto body = nlohmann::json::parse(request.body, nullptr, false);
    const auto refuse = [&](const std::string& field, const std::string& message) {
      auto detail = kit::problem(400, "Invalid avvikelser", message);
      detail["field"] = field;
      response.status = 400;
      response.set_content(detail.dump(), kProblemJson);
    };
    if (!body.is_object()) return refuse("", "the body must be a JSON object");
    fs::SilentSubsystems spec;
    auto classes = body.find("classes");
    if (classes == body.end() || !classes->is_array() || classes->empty()) {
      return refuse("classes", "a non-empty array of formansinformation, ansprak, utbetalningar, ovrigInformation");
    }
    for (const auto& item : *classes) {
      static const std::set<std::string> known = {"formansinformation", "ansprak", "utbetalningar", "ovrigInformation"};
      if (!item.is_string() || !known.contains(item.get<std::string>())) {
        return refuse("classes", "one of formansinformation, ansprak, utbetalningar, ovrigInformation");
      }
      spec.classes.insert(item.get<std::string>());
    }
    if (auto code = body.find("code"); code != body.end()) {
      if (!code->is_string() || (*code != "INTERNT_FEL" && *code != "OBEHORIG")) {
        return refuse("code", "INTERNT_FEL or OBEHORIG");
      }
      spec.code = code->get<std::string>();
    }
    response.set_content(describe(spec).dump(), kJson);
    silent.set(std::move(spec));
  });
  server.Get("/_sim/avvikelser", [&](const httplib::Request&, httplib::Response& response) {
    response.set_content(describe(silent.get()).dump(), kJson);
  });
  server.Delete("/_sim/avvikelser", [&](const httplib::Request&, httplib::Response& response) {
    silent.set({});
    response.status = 204;
  });
  server.Get("/_sim/stats", [&](const httplib::Request&, httplib::Response& response) {
    nlohmann::json stats = nlohmann::json::object();
    counters.write_to(stats);
    stats["atersokning_effects"] = register_.effects();
    stats["notifications"] = sender.stats();
    response.set_content(stats.dump(), kJson);
  });
  server.Delete("/_sim/stats", [&](const httplib::Request&, httplib::Response& response) {
    // Counters, dedup memory and the notification queue go together: the next test starts from nothing.
    counters.reset();
    register_.reset();
    sender.reset();
    response.status = 204;
  });
  server.Get("/_sim/health", [](const httplib::Request&, httplib::Response& response) {
    response.set_content(R"({"status":"ok"})", kJson);
  });

  std::cerr << "notifications " << (sender.configured() ? "to " + options->gateway.url : std::string("off (no --gateway)"))
            << " adapter=" << options->gateway.adapter << std::endl;
  const int status = kit::serve(server, options->listen, stop);
  sender.stop();
  return status;
}
