// jobbtorg-simulator: a Jobbtorg (the municipal labour-market unit) on loopback, speaking the wire
// protocol of adapters/jobbtorg/README.md. Takes anvisningar on POST /api/v1/anvisningar, applies
// each once per Idempotency-Key, and reports back to the gateway on its own (--reports auto):
// INSKRIVNING, FORSTA_BESOK, IB_DEL2_KLAR, NARVARO (with an OGILTIG streak and a corrected day
// when asked), AVSLUT per new referral, and when asked its own assessments (BEDOMNING) and a plan
// follow-up (UPPFOLJNING). /_sim/ is the control API for tests: faults, stats, referrals and
// hand-made reports.
// stdout carries one JSON line, {"event":"listening","port":N}; stderr logs carry message and
// referral ids and counts only, never personnummer or names.
#include <httplib.h>

#include <algorithm>
#include <chrono>
#include <iostream>
#include <nlohmann/json.hpp>
#include <optional>
#include <random>
#include <stdexcept>
#include <string>

#include "anvisning_check.h"
#include "anvisning_register.h"
#include "command_line.h"
#include "connection_abort.h"
#include "core/digest.h"
#include "fault_control.h"
#include "problem.h"
#include "report_callbacks.h"
#include "report_writer.h"
#include "serve.h"

namespace kit = knutpunkt::simulator_kit;
namespace jt = knutpunkt::jobbtorg_simulator;

namespace {

using kit::kJson;
using kit::kProblemJson;

struct Options {
  kit::Listen listen{.host = "127.0.0.1", .port = 18082, .port_file = std::nullopt, .threads = 32, .tls = {}};
  std::string token;  // empty: any (or no) bearer token is accepted
  kit::PartnerGateway gateway{.url = "", .token = "", .adapter = "jobbtorg", .tls = {}};
  bool auto_reports = true;
  std::chrono::milliseconds report_delay{200};
  std::size_t report_threads = 4;
  int attendance_days = 3;
  int ogiltig_streak = 0;
  std::optional<int> corrected_day;
  jt::PlanningReports planning;
  std::optional<std::uint64_t> seed;
  bool quiet = false;
};

constexpr const char* kUsage =
    "usage: jobbtorg-simulator [--host H] [--port N (0 = ephemeral; default 18082)] [--port-file PATH]\n"
    "                          [--threads N (32)] [--token T] [--gateway URL] [--gateway-token T]\n"
    "                          [--adapter NAME (jobbtorg)] [--reports auto|off] [--report-delay-ms N (200)]\n"
    "                          [--report-threads N (4)] [--attendance-days N (3)] [--ogiltig-streak N (0)]\n"
    "                          [--correct-day N] [--followup-days N (0: none)] [--assessments IB,FIA|none]\n"
    "                          [--seed N] [--quiet]\n"
    "                          [--gateway-ca PATH [--gateway-cert PATH --gateway-key PATH]]\n"
    "                          [--tls-cert PATH --tls-key PATH [--client-ca PATH]]\n";

// "IB,FIA" (either, in any order, each once) or "none"; anything else is a refused command line.
std::vector<std::string> instrument_list(const std::string& value) {
  std::vector<std::string> instruments;
  if (value == "none") return instruments;
  std::size_t from = 0;
  for (;;) {
    const auto comma = value.find(',', from);
    std::string instrument = value.substr(from, comma == std::string::npos ? std::string::npos : comma - from);
    if (!jt::is_assessment_instrument(instrument) ||
        std::find(instruments.begin(), instruments.end(), instrument) != instruments.end())
      throw std::invalid_argument(value);
    instruments.push_back(std::move(instrument));
    if (comma == std::string::npos) return instruments;
    from = comma + 1;
  }
}

std::optional<Options> parse_options(int argc, char** argv) {
  Options options;
  const bool read = kit::read_flags(argc, argv, {"--quiet"}, [&](const std::string& flag, const std::string& value) {
    if (kit::read_listen_flag(options.listen, flag, value) || kit::read_gateway_flag(options.gateway, flag, value))
      return true;
    if (flag == "--quiet")
      options.quiet = true;
    else if (flag == "--token")
      options.token = value;
    else if (flag == "--reports") {
      if (value != "auto" && value != "off") throw std::invalid_argument(value);
      options.auto_reports = value == "auto";
    } else if (flag == "--report-delay-ms")
      options.report_delay = std::chrono::milliseconds{std::stol(value)};
    else if (flag == "--report-threads")
      options.report_threads = static_cast<std::size_t>(std::stoul(value));
    else if (flag == "--attendance-days")
      options.attendance_days = std::stoi(value);
    else if (flag == "--ogiltig-streak")
      options.ogiltig_streak = std::stoi(value);
    else if (flag == "--correct-day")
      options.corrected_day = std::stoi(value);
    else if (flag == "--followup-days")
      options.planning.followup_days = std::stoi(value);
    else if (flag == "--assessments")
      options.planning.assessments = instrument_list(value);
    else if (flag == "--seed")
      options.seed = std::stoull(value);
    else
      return false;
    return true;
  });
  if (!read || !kit::usable(options.listen) || !kit::usable(options.gateway) || options.report_threads == 0 ||
      options.report_delay.count() < 0 || options.attendance_days < 0 || options.attendance_days > 31 ||
      options.ogiltig_streak < 0 || options.ogiltig_streak > options.attendance_days ||
      (options.corrected_day && (*options.corrected_day < 0 || *options.corrected_day >= options.attendance_days)) ||
      options.planning.followup_days < 0 || options.planning.followup_days > 366)
    return std::nullopt;
  return options;
}

void reply_fel(httplib::Response& response, int status, const std::vector<jt::FieldError>& errors) {
  response.status = status;
  response.set_content(jt::fel_body(errors).dump(), kJson);
}

nlohmann::json describe_reply(const kit::CallbackReply& reply, const std::string& meddelande_id) {
  nlohmann::json out{{"gateway_status", reply.status}, {"gateway_body", reply.body}, {"meddelandeId", meddelande_id}};
  if (!reply.error.empty()) out["error"] = reply.error;
  return out;
}

}  // namespace

int main(int argc, char** argv) {
  auto options = parse_options(argc, argv);
  if (!options) return kit::refuse_command_line(kUsage);
  kit::block_stop_signals();
  if (options->auto_reports && options->gateway.url.empty()) {
    std::cerr << "no --gateway: automatic reports are off" << std::endl;
    options->auto_reports = false;
  }

  // Which attendance day is the absent one: varied per referral, reproducible with --seed.
  std::mt19937_64 random(options->seed.value_or(std::random_device{}()));
  std::mutex random_mutex;

  kit::FaultPlan faults(kit::FaultDefaults{.error_status = 503, .reject_status = 422});
  jt::AnvisningRegister register_;
  kit::CallbackSender sender(kit::CallbackSettings{.target = options->gateway.target(),
                                                   .delay = options->report_delay,
                                                   .retry = {},
                                                   .threads = options->report_threads,
                                                   .log_gave_up = jt::log_report_gave_up});
  kit::StopSignal stop;
  auto made_server = kit::make_server(options->listen.tls);
  if (!made_server) {
    std::cerr << made_server.error() << std::endl;
    return 1;
  }
  httplib::Server& server = **made_server;
  const bool quiet = options->quiet;
  const std::string expected_authorization = options->token.empty() ? "" : "Bearer " + options->token;

  server.Post("/api/v1/anvisningar", [&](const httplib::Request& request, httplib::Response& response) {
    register_.count(jt::Counted::anvisningar_received);
    const std::string key = request.get_header_value("Idempotency-Key");
    // Faults model what stands in front of Jobbtorg (a proxy, an overloaded host), so they come
    // before authentication and validation, and a failed request has no effect at all.
    const auto fault = faults.decide(key);
    if (fault.latency.count() > 0) stop.sleep_for(fault.latency);
    if (fault.fails_without_effect()) {
      register_.count(jt::Counted::failed_by_fault);
      if (!quiet)
        std::cerr << "anvisning key=" << key << " fault=" << kit::mode_name(fault.mode) << " status=" << fault.status
                  << std::endl;
      kit::answer_fault(fault, request, response,
                        jt::fel_body({{"", "simulerat fel (" + std::string(kit::mode_name(fault.mode)) + ")"}}).dump(),
                        kJson);
      return;
    }

    if (!expected_authorization.empty() &&
        !knutpunkt::constant_time_equal(request.get_header_value("Authorization"), expected_authorization)) {
      register_.count(jt::Counted::unauthorized);
      if (!quiet) std::cerr << "anvisning key=" << key << " unauthorized" << std::endl;
      reply_fel(response, 401, {{"Authorization", "ogiltig eller saknad token"}});
      return;
    }

    const auto anvisning = nlohmann::json::parse(request.body, nullptr, false);
    auto errors = anvisning.is_discarded() ? std::vector<jt::FieldError>{{"", "inte giltig JSON"}}
                                           : jt::check_anvisning(anvisning);
    if (key.empty())
      errors.push_back({"Idempotency-Key", "saknas"});
    else if (errors.empty() && anvisning["meddelandeId"].get<std::string>() != key)
      // The key is the outbox message id, so it must name this very message.
      errors.push_back({"Idempotency-Key", "ska vara lika med meddelandeId"});
    if (!errors.empty()) {
      register_.count(jt::Counted::invalid);
      if (!quiet) {
        std::cerr << "anvisning key=" << key << " invalid fields=";
        for (const auto& error : errors) std::cerr << (error.falt.empty() ? "(body)" : error.falt) << ";";
        std::cerr << std::endl;
      }
      reply_fel(response, 400, errors);
      return;
    }

    const auto acceptance = register_.accept(key, anvisning);
    if (!quiet)
      std::cerr << "anvisning key=" << key << " anvisningsId=" << acceptance.facts.anvisnings_id
                << (acceptance.duplicate ? " duplicate" : " accepted") << std::endl;
    if (acceptance.new_referral && options->auto_reports) {
      jt::AttendancePlan attendance{.days = options->attendance_days,
                                    .absent_day = 1,
                                    .ogiltig_streak = options->ogiltig_streak,
                                    .corrected_day = options->corrected_day};
      if (attendance.days >= 2) {
        std::lock_guard lock(random_mutex);
        attendance.absent_day = static_cast<int>(random() % static_cast<std::uint64_t>(attendance.days));
      }
      sender.enqueue(acceptance.facts.anvisnings_id,
                     jt::report_callbacks(acceptance.facts.anvisnings_id,
                                          jt::report_sequence(acceptance.facts, attendance, options->planning)));
    }
    if (fault.action == kit::FaultAction::lost_reply) {
      // Applied, then the reply is lost: only the Idempotency-Key keeps the retry from acting twice.
      // Counted apart from failed_by_fault, which means "no effect".
      register_.count(jt::Counted::lost_replies);
      kit::reset_connection(request, response);
      return;
    }
    response.status = acceptance.duplicate ? 200 : 201;
    response.set_content(acceptance.reply.dump(), kJson);
  });

  // Meddelanden about an anvisning: a change, a withdrawal, a decision. Faults, authentication and
  // idempotency as for anvisningar; 404 for an anvisning this Jobbtorg never got, 409 after a
  // withdrawal (a gateway must never send either).
  server.Post(
      R"(/api/v1/anvisningar/([^/]+)/meddelanden)", [&](const httplib::Request& request, httplib::Response& response) {
        register_.count(jt::Counted::meddelanden_received);
        const std::string key = request.get_header_value("Idempotency-Key");
        const auto fault = faults.decide(key);
        if (fault.latency.count() > 0) stop.sleep_for(fault.latency);
        if (fault.fails_without_effect()) {
          register_.count(jt::Counted::failed_by_fault);
          kit::answer_fault(
              fault, request, response,
              jt::fel_body({{"", "simulerat fel (" + std::string(kit::mode_name(fault.mode)) + ")"}}).dump(), kJson);
          return;
        }
        if (!expected_authorization.empty() &&
            !knutpunkt::constant_time_equal(request.get_header_value("Authorization"), expected_authorization)) {
          register_.count(jt::Counted::unauthorized);
          reply_fel(response, 401, {{"Authorization", "ogiltig eller saknad token"}});
          return;
        }
        const std::string anvisnings_id = request.matches[1].str();
        const auto meddelande = nlohmann::json::parse(request.body, nullptr, false);
        auto errors = meddelande.is_discarded() ? std::vector<jt::FieldError>{{"", "inte giltig JSON"}}
                                                : jt::check_meddelande(meddelande, anvisnings_id);
        if (key.empty())
          errors.push_back({"Idempotency-Key", "saknas"});
        else if (errors.empty() && meddelande["meddelandeId"].get<std::string>() != key)
          errors.push_back({"Idempotency-Key", "ska vara lika med meddelandeId"});
        if (!errors.empty()) {
          register_.count(jt::Counted::invalid);
          if (!quiet) std::cerr << "meddelande key=" << key << " invalid" << std::endl;
          reply_fel(response, 400, errors);
          return;
        }
        const auto taken = register_.accept_message(key, meddelande);
        using Outcome = jt::MessageAcceptance::Outcome;
        if (!quiet)
          std::cerr << "meddelande key=" << key << " typ=" << meddelande["typ"].get<std::string>()
                    << " anvisningsId=" << anvisnings_id << " outcome=" << static_cast<int>(taken.outcome) << std::endl;
        if (taken.outcome == Outcome::unknown_referral) {
          reply_fel(response, 404, {{"/anvisningsId", "okänd anvisning"}});
          return;
        }
        if (taken.outcome == Outcome::withdrawn) {
          reply_fel(response, 409, {{"/anvisningsId", "anvisningen är återkallad"}});
          return;
        }
        if (fault.action == kit::FaultAction::lost_reply) {
          register_.count(jt::Counted::lost_replies);
          kit::reset_connection(request, response);
          return;
        }
        response.status = taken.outcome == Outcome::duplicate ? 200 : 201;
        response.set_content(taken.reply.dump(), kJson);
      });

  kit::serve_fault_control(server, "/_sim", faults, [](const kit::FaultSpecError& error) {
    auto detail = kit::problem(400, "Invalid fault", error.message);
    detail["field"] = error.field;
    return detail.dump();
  });

  server.Get("/_sim/stats", [&](const httplib::Request&, httplib::Response& response) {
    auto stats = register_.stats();
    stats["reports"] = sender.stats();
    response.set_content(stats.dump(), kJson);
  });
  server.Delete("/_sim/stats", [&](const httplib::Request&, httplib::Response& response) {
    // Counters, dedup memory and report queues go together: the next test starts from nothing.
    register_.reset();
    sender.reset();
    std::cerr << "stats reset" << std::endl;
    response.status = 204;
  });
  server.Get("/_sim/health", [](const httplib::Request&, httplib::Response& response) {
    response.set_content(R"({"status":"ok"})", kJson);
  });

  server.Get("/_sim/referrals", [&](const httplib::Request&, httplib::Response& response) {
    auto referrals = register_.referrals();
    for (auto& referral : referrals) {
      const auto id = referral["anvisningsId"].get<std::string>();
      referral["reports"] = jt::reports_of(sender, id);
      referral["reports_queued"] = sender.pending_for(id);
    }
    response.set_content(nlohmann::json{{"referrals", referrals}}.dump(), kJson);
  });

  // Hand-made reports go to the gateway; without --gateway there is nowhere to send them.
  const auto refused_without_gateway = [&](httplib::Response& response) {
    if (!options->gateway.url.empty()) return false;
    response.status = 409;
    response.set_content(kit::problem(409, "No gateway", "start the simulator with --gateway URL").dump(),
                         kProblemJson);
    return true;
  };
  server.Post(R"(/_sim/referrals/([^/]+)/reports)", [&](const httplib::Request& request, httplib::Response& response) {
    if (refused_without_gateway(response)) return;
    const std::string anvisnings_id = request.matches[1].str();
    auto report = nlohmann::json::parse(request.body, nullptr, false);
    if (report.is_discarded() || !report.is_object() || !report.contains("typ") || !report["typ"].is_string()) {
      response.status = 400;
      response.set_content(kit::problem(400, "Invalid report", "a JSON object with a string \"typ\"").dump(),
                           kProblemJson);
      return;
    }
    // A partial report gets the type's usual details, from the referral if this Jobbtorg knows it
    // (else as if it started today), so a test need only name what it varies. An unknown typ is
    // sent as given: the gateway's answer to it is what such a test wants to see.
    const auto facts =
        register_.facts(anvisnings_id)
            .value_or(jt::ReferralFacts{anvisnings_id, "JT-0",
                                        std::chrono::floor<std::chrono::days>(std::chrono::system_clock::now()), 20});
    if (auto details = jt::report_details(report["typ"].get<std::string>(), facts,
                                          jt::AttendancePlan{.days = std::max(options->attendance_days, 1),
                                                             .absent_day = 1,
                                                             .ogiltig_streak = options->ogiltig_streak,
                                                             .corrected_day = std::nullopt},
                                          options->planning);
        details && !report.contains(details->first))
      report[details->first] = std::move(details->second);
    jt::complete_report(report, anvisnings_id);
    const auto id = report["meddelandeId"].is_string() ? report["meddelandeId"].get<std::string>() : "";
    const auto reply = jt::send_report_once(sender, report);
    if (!quiet)
      std::cerr << "manual report meddelandeId=" << id << " anvisningsId=" << anvisnings_id
                << " gateway_status=" << reply.status << std::endl;
    response.set_content(describe_reply(reply, id).dump(), kJson);
  });

  // A correction of day N (by index) of the referral's usual NARVARO, sent now: how a test or the
  // demo asks Jobbtorg to correct a day it reported.
  server.Post(
      R"(/_sim/referrals/([^/]+)/corrections/([0-9]{1,2}))",
      [&](const httplib::Request& request, httplib::Response& response, const httplib::ContentReader& content_reader) {
        if (request.has_header("Content-Length") || request.has_header("Transfer-Encoding"))
          content_reader([](const char*, std::size_t) { return true; });
        if (refused_without_gateway(response)) return;
        const std::string anvisnings_id = request.matches[1].str();
        const int index = std::stoi(request.matches[2].str());
        const auto facts = register_.facts(anvisnings_id);
        const jt::AttendancePlan plan{.days = std::max(options->attendance_days, 1),
                                      .absent_day = 1,
                                      .ogiltig_streak = options->ogiltig_streak,
                                      .corrected_day = index};
        const auto correction = facts ? jt::narvaro_correction(*facts, plan, index) : std::nullopt;
        if (!correction) {
          response.status = 404;
          response.set_content(
              kit::problem(404, "Unknown day", "no such referral here, or no such day in its NARVARO").dump(),
              kProblemJson);
          return;
        }
        nlohmann::json report{{"typ", "NARVARO"}, {"narvaro", *correction}};
        jt::complete_report(report, anvisnings_id);
        const auto id = report["meddelandeId"].get<std::string>();
        const auto reply = jt::send_report_once(sender, report);
        if (!quiet)
          std::cerr << "correction meddelandeId=" << id << " anvisningsId=" << anvisnings_id
                    << " gateway_status=" << reply.status << std::endl;
        response.set_content(describe_reply(reply, id).dump(), kJson);
      });

  // A content-reader handler: cpp-httplib 0.11 otherwise waits out its read timeout and answers 400
  // for a POST without Content-Length, which is what `curl -X POST` sends here.
  server.Post(R"(/_sim/reports/([^/]+)/resend)", [&](const httplib::Request& request, httplib::Response& response,
                                                     const httplib::ContentReader& content_reader) {
    if (request.has_header("Content-Length") || request.has_header("Transfer-Encoding"))
      content_reader([](const char*, std::size_t) { return true; });  // drained: the body is not used
    if (refused_without_gateway(response)) return;
    const std::string id = request.matches[1].str();
    const auto reply = sender.resend(id);
    if (!reply) {
      response.status = 404;
      response.set_content(kit::problem(404, "Unknown report", "no report with this meddelandeId was sent").dump(),
                           kProblemJson);
      return;
    }
    if (!quiet) std::cerr << "resent report meddelandeId=" << id << " gateway_status=" << reply->status << std::endl;
    response.set_content(describe_reply(*reply, id).dump(), kJson);
  });

  if (options->auto_reports) sender.start();
  std::cerr << "reports " << (options->auto_reports ? "auto" : "off") << " gateway=" << options->gateway.url
            << " adapter=" << options->gateway.adapter << std::endl;
  const int code = kit::serve(server, options->listen, stop, [&] { sender.stop(); });
  sender.stop();
  return code;
}
