// ssbtek-simulator: SSBTEK (Sammansatt bastjänst för ekonomiskt bistånd) on loopback. Answers
// SOAP 1.1 hamtaBastjanstInformation / testaBastjanstInformation on POST /ssbtek from the test
// persons in persons.json, with per-source fault injection through a control API under /_sim/.
// Logs go to stderr and never carry personnummer or names; stdout carries one JSON line,
// {"event":"listening","port":N}, once the socket is bound.
#include <httplib.h>
#include <libxml/parser.h>
#include <libxml/xmlIO.h>
#include <libxml/xmlschemas.h>
#include <pthread.h>
#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <csignal>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <thread>

#include "fault_plan.h"
#include "question.h"
#include "reply_writer.h"

namespace ks = knutpunkt::ssbtek_simulator;

namespace {

constexpr const char* kXml = "text/xml; charset=utf-8";
constexpr const char* kProblem = "application/problem+json";

struct Options {
  std::string host = "127.0.0.1";
  int port = 18081;
  std::optional<std::string> port_file;
  std::string persons = SSBTEK_SIMULATOR_PERSONS;
  std::string schema = SSBTEK_SIMULATOR_SCHEMA;
  std::size_t threads = 32;
};

void usage() {
  std::cerr << "usage: ssbtek-simulator [--host H] [--port N (0 = ephemeral)] [--port-file PATH]\n"
               "                        [--persons PATH] [--schema PATH] [--threads N]\n";
}

std::optional<Options> parse_options(int argc, char** argv) {
  Options options;
  for (int i = 1; i < argc; ++i) {
    const std::string flag = argv[i];
    if (flag == "--help" || flag == "-h") return std::nullopt;
    if (i + 1 >= argc) {
      std::cerr << "missing value for " << flag << "\n";
      return std::nullopt;
    }
    const std::string value = argv[++i];
    try {
      if (flag == "--host")
        options.host = value;
      else if (flag == "--port")
        options.port = std::stoi(value);
      else if (flag == "--port-file")
        options.port_file = value;
      else if (flag == "--persons")
        options.persons = value;
      else if (flag == "--schema")
        options.schema = value;
      else if (flag == "--threads")
        options.threads = static_cast<std::size_t>(std::stoul(value));
      else {
        std::cerr << "unknown flag " << flag << "\n";
        return std::nullopt;
      }
    } catch (const std::exception&) {
      std::cerr << "bad value for " << flag << "\n";
      return std::nullopt;
    }
  }
  if (options.port < 0 || options.port > 65535 || options.threads == 0) return std::nullopt;
  return options;
}

std::optional<ks::PersonFacts> load_persons(const std::string& path) {
  std::ifstream in(path);
  if (!in) return std::nullopt;
  auto document = ks::PersonFacts::parse(in, nullptr, false);
  if (document.is_discarded() || !document.contains("persons") || !document["persons"].is_object()) return std::nullopt;
  return document["persons"];
}

// Written to a temporary name and renamed, so a reader never sees a half-written port.
bool write_port_file(const std::string& path, int port) {
  const std::string temporary = path + ".tmp";
  {
    std::ofstream out(temporary, std::ios::trunc);
    if (!out) return false;
    out << port << "\n";
    if (!out.flush()) return false;
  }
  std::error_code error;
  std::filesystem::rename(temporary, path, error);
  return !error;
}

std::string problem(int status, const std::string& title, const std::string& detail, const std::string& field = "") {
  nlohmann::json body{{"type", "about:blank"}, {"title", title}, {"status", status}, {"detail", detail}};
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

class Shutdown {
 public:
  void request() {
    {
      std::lock_guard lock(mutex_);
      stopping_ = true;
    }
    wake_.notify_all();
  }
  // Latency injection sleeps in a worker; a shutdown cuts the sleep short.
  void sleep_for(std::chrono::milliseconds duration) {
    std::unique_lock lock(mutex_);
    wake_.wait_for(lock, duration, [this] { return stopping_; });
  }

 private:
  std::mutex mutex_;
  std::condition_variable wake_;
  bool stopping_ = false;
};

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
  if (!options) {
    usage();
    return 2;
  }
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

  // SIGINT/SIGTERM are taken by one thread with sigwait, so shutdown runs outside signal context.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);

  ks::FaultPlan faults;
  ks::RequestStats stats;
  Shutdown shutdown;
  httplib::Server server;
  const std::size_t threads = options->threads;
  server.new_task_queue = [threads] { return new httplib::ThreadPool(threads); };
  server.set_payload_max_length(1 << 20);
  // cpp-httplib closes a kept-alive connection after 5 requests by default and listens with a
  // backlog of 5: under load the gateway's reconnect bursts overflow the backlog and dropped SYNs
  // cost a 1 s retransmit each. A partner's real front end keeps connections far longer.
  server.set_keep_alive_max_count(10000);

  server.Post("/ssbtek", [&](const httplib::Request& request, httplib::Response& response) {
    const auto started = std::chrono::steady_clock::now();
    auto question = ks::read_question(request.body, *schema);
    if (!question) {
      stats.count_operation("invalid");
      spdlog::info("question refused felkod={}", question.error().felkod);
      response.status = 500;
      response.set_content(
          ks::write_fault(question.error().operation, "soap:Client", question.error().felkod, question.error().message),
          kXml);
      return;
    }
    const bool testa = question->operation == ks::Operation::testa;
    stats.count_operation(testa ? "testaBastjanstInformation" : "hamtaBastjanstInformation");
    stats.count_sources(question->sources);
    const auto applying = faults.take(question->sources);
    std::chrono::milliseconds latency{0};
    for (const auto& [source, fault] : applying) {
      if (fault.mode != ks::FaultMode::none) stats.count_fault(source);
      latency = std::max(latency, fault.latency);
    }
    if (latency.count() > 0) shutdown.sleep_for(latency);

    std::string outcome = "ok";
    const auto whole = whole_reply_fault(applying);
    if (whole && whole->second.mode == ks::FaultMode::drop) {
      outcome = "drop";
      // Headers announce a body that never comes: returning false closes the connection.
      response.set_content_provider(4096, kXml, [](std::size_t, std::size_t, httplib::DataSink&) { return false; });
    } else if (whole && whole->second.mode == ks::FaultMode::http_500) {
      outcome = "http_500";
      response.status = 500;
      response.set_content("Internal Server Error\n", "text/plain; charset=utf-8");
    } else if (whole && whole->second.mode == ks::FaultMode::soap_fault) {
      outcome = "soap_fault";
      response.status = 500;
      response.set_content(
          ks::write_fault(
              question->operation, "soap:Server", whole->second.code.empty() ? "SSBT-900" : whole->second.code,
              whole->second.message.empty() ? "Tekniskt fel i Sammansatt bastjänst" : whole->second.message),
          kXml);
    } else {
      static const ks::PersonFacts unknown = ks::PersonFacts::object();
      const auto& known = *persons;
      const ks::PersonFacts& person =
          known.contains(question->personidentitet) ? known[question->personidentitet] : unknown;
      std::string reply =
          testa ? ks::write_test_response(applying) : ks::write_hamta_response(*question, person, applying);
      if (whole && whole->second.mode == ks::FaultMode::malformed) {
        outcome = "malformed";
        reply.resize(reply.size() / 2);  // a truncated envelope: not well-formed
      } else {
        log_reply_check(*schema, reply);
      }
      response.set_content(reply, kXml);
    }
    const auto elapsed =
        std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - started).count();
    spdlog::info("{} sources={} outcome={} ms={}", testa ? "testaBastjanstInformation" : "hamtaBastjanstInformation",
                 source_list(question->sources), outcome, elapsed);
  });

  server.Put(R"(/_sim/faults/([A-Za-z]+))", [&](const httplib::Request& request, httplib::Response& response) {
    const auto source = ks::source_named(request.matches[1].str());
    if (!source) {
      response.status = 404;
      response.set_content(problem(404, "Unknown source", "one of AF, CSN, FK, SKV, SO, TNS, MIV", "source"), kProblem);
      return;
    }
    const auto body = nlohmann::json::parse(request.body, nullptr, false);
    if (body.is_discarded()) {
      response.status = 400;
      response.set_content(problem(400, "Invalid fault", "the body is not JSON"), kProblem);
      return;
    }
    auto fault = ks::parse_fault(body);
    if (fault && fault->mode == ks::FaultMode::avvikelse && *source != ks::Source::FK)
      fault = std::unexpected(ks::FaultSpecError{"mode", "avvikelse is a LEFI notion and applies to FK only"});
    if (!fault) {
      response.status = 400;
      response.set_content(problem(400, "Invalid fault", fault.error().message, fault.error().field), kProblem);
      return;
    }
    // A source code ("FK") and the fault's settings: nothing about any person.
    const std::string source_code{ks::name(*source)};
    spdlog::info("fault set source={} {}", source_code, ks::describe(*fault).dump());
    const nlohmann::json echo{{"source", source_code}, {"fault", ks::describe(*fault)}};
    faults.set(*source, std::move(*fault));
    response.set_content(echo.dump(), "application/json");
  });
  server.Delete(R"(/_sim/faults/([A-Za-z]+))", [&](const httplib::Request& request, httplib::Response& response) {
    const auto source = ks::source_named(request.matches[1].str());
    if (!source) {
      response.status = 404;
      response.set_content(problem(404, "Unknown source", "one of AF, CSN, FK, SKV, SO, TNS, MIV", "source"), kProblem);
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
    response.set_content(faults.describe().dump(), "application/json");
  });
  server.Get("/_sim/stats", [&](const httplib::Request&, httplib::Response& response) {
    response.set_content(stats.snapshot().dump(), "application/json");
  });
  server.Delete("/_sim/stats", [&](const httplib::Request&, httplib::Response& response) {
    stats.reset();
    response.status = 204;
  });
  server.Get("/_sim/health", [](const httplib::Request&, httplib::Response& response) {
    response.set_content(R"({"status":"ok"})", "application/json");
  });

  int port = options->port;
  if (port == 0) {
    port = server.bind_to_any_port(options->host);
    if (port < 0) port = 0;
  } else if (!server.bind_to_port(options->host, port)) {
    port = 0;
  }
  if (port == 0) {
    spdlog::error("cannot bind {}:{}", options->host, options->port);
    return 1;
  }
  if (options->port_file && !write_port_file(*options->port_file, port)) {
    spdlog::error("cannot write port file {}", *options->port_file);
    return 1;
  }
  std::cout << nlohmann::json{{"event", "listening"}, {"port", port}}.dump() << std::endl;
  spdlog::info("listening on {}:{} threads={}", options->host, port, threads);

  std::atomic<bool> served{false};
  std::thread signal_waiter([&] {
    int received = 0;
    sigwait(&signals, &received);
    if (!served) spdlog::info("signal {} received, shutting down", received);
    shutdown.request();
    server.stop();
  });
  const bool listened = server.listen_after_bind();
  served = true;
  // If the server stopped on its own, wake the signal thread so it can be joined.
  pthread_kill(signal_waiter.native_handle(), SIGTERM);
  signal_waiter.join();
  xmlCleanupParser();
  spdlog::info("stopped");
  return listened ? 0 : 1;
}
