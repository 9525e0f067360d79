// knutpunkt: the gateway's entry point.
//   knutpunkt serve --config FILE [--port N] [--port-file FILE] [--db FILE] [--log-file FILE] [--log-level LEVEL]
//   knutpunkt audit verify --db FILE [--expect-head SEQ:HASH]
#include <boost/asio/steady_timer.hpp>

#include "audit/audit_log.h"
#include "audit/audit_verifier.h"
#include "audit_export/audit_export_cli.h"
#include "audit_export/signing_key.h"
#include "audit_review/chain_monitor.h"
#include "audit_review/retention.h"
#include "core/clock.h"
#include "identity/password_hash.h"
#include "identity/session_registry.h"
#include "config/gateway_config.h"
#include "core/adapter_registry.h"
#include "delivery/delivery_engine.h"
#include "delivery/webhook_adapter.h"
#include "http/client_auth.h"
#include "http/router.h"
#include "referral/referral_service.h"
#include "sip_coordination/sip_coordinator.h"
#include "sip_coordination/sip_reminders.h"
#include "routing/event_publisher.h"
#include "http/server.h"
#include "log/log.h"
#include "lookup/lookup_service.h"
#include "net/http_client.h"
#include "store/sqlite/sqlite_store.h"

#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>

#include <charconv>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <thread>
#include <vector>

namespace kp = knutpunkt;

namespace {

constexpr const char* kUsage =
    "usage:\n"
    "  knutpunkt serve --config FILE [--port N] [--port-file FILE] [--db FILE] [--log-file FILE] [--log-level debug|info|warn|error]\n"
    "  knutpunkt audit verify --db FILE [--expect-head SEQ:HASH] [--public-key PUBLIC.pem (checks a retention checkpoint)]\n"
    "  knutpunkt audit verify --export FILE [--manifest FILE] --public-key PUBLIC.pem\n"
    "  knutpunkt audit export --db FILE --format jsonl|csv --out FILE --key PRIVATE.pem\n"
    "                         [--from-seq N] [--to-seq M] | [--since RFC3339] [--until RFC3339]\n"
    "                         [--exported-by ID] [--instance ID]\n"
    "  knutpunkt audit keygen --private FILE --public FILE\n"
    "  knutpunkt user hash-password [--iterations N]   (reads the password from stdin)\n"
    "  knutpunkt routes --json                         (the HTTP routes served: method, path, audience)\n";

// --name value pairs after the subcommand; anything else is a usage error.
std::optional<std::map<std::string, std::string>> read_options(const std::vector<std::string>& args, std::size_t from) {
  std::map<std::string, std::string> options;
  for (std::size_t i = from; i < args.size(); i += 2) {
    if (!args[i].starts_with("--") || i + 1 >= args.size()) return std::nullopt;
    options[args[i].substr(2)] = args[i + 1];
  }
  return options;
}

std::optional<kp::log::Level> parse_level(const std::string& text) {
  if (text == "debug") return kp::log::Level::debug;
  if (text == "info") return kp::log::Level::info;
  if (text == "warn") return kp::log::Level::warn;
  if (text == "error") return kp::log::Level::error;
  return std::nullopt;
}

// Written via rename so a reader polling for the file never sees it half-written.
bool write_port_file(const std::string& path, unsigned short port) {
  const std::string tmp = path + ".tmp";
  {
    std::ofstream out(tmp);
    out << port << "\n";
    if (!out) return false;
  }
  return std::rename(tmp.c_str(), path.c_str()) == 0;
}

int serve(const std::map<std::string, std::string>& options) {
  auto config_path = options.find("config");
  if (config_path == options.end()) {
    std::cerr << kUsage;
    return 2;
  }
  auto config = kp::load_config(config_path->second);
  if (!config) {
    std::cerr << "knutpunkt: invalid configuration at " << (config.error().field.empty() ? "/" : config.error().field)
              << ": " << config.error().message << "\n";
    return 2;
  }
  if (auto it = options.find("port"); it != options.end()) {
    unsigned port = 0;
    auto [end, ec] = std::from_chars(it->second.data(), it->second.data() + it->second.size(), port);
    if (ec != std::errc{} || end != it->second.data() + it->second.size() || port > 65535) {
      std::cerr << "knutpunkt: --port must be a number from 0 to 65535\n";
      return 2;
    }
    config->server.port = static_cast<unsigned short>(port);
  }
  if (auto it = options.find("db"); it != options.end()) config->store.path = it->second;
  if (auto it = options.find("log-file"); it != options.end()) config->log.file = it->second;
  if (auto it = options.find("log-level"); it != options.end()) config->log.level = it->second;
  auto level = parse_level(config->log.level);
  if (!level) {
    std::cerr << "knutpunkt: unknown log level " << config->log.level << "\n";
    return 2;
  }
  kp::log::init(*level, config->log.file.string());

  if (config->store.path.has_parent_path()) std::filesystem::create_directories(config->store.path.parent_path());
  auto store = kp::open_sqlite_store(config->store.path);
  if (!store) {
    kp::log::error("store.open_failed", {{"code", store.error().code}, {"message", store.error().message}});
    std::cerr << "knutpunkt: cannot open the store: " << store.error().message << "\n";
    return 1;
  }
  auto audit = kp::AuditLog::open(**store);
  if (!audit) {
    std::cerr << "knutpunkt: cannot open the audit log: " << audit.error().message << "\n";
    return 1;
  }

  boost::asio::io_context io(config->server.threads);
  kp::net::HttpClient http(io);
  kp::LookupService lookups(io, **audit, config->lookup_deadline);
  kp::delivery::DeliveryEngine delivery(io, http, **store, **audit);
  // Declared after the engine, so destroyed before it on every way out of serve(): the audit
  // writer drains and runs its callbacks (which reach into the engine) while the engine lives.
  struct AuditStopper {
    kp::AuditLog& audit;
    ~AuditStopper() { audit.stop(); }
  } audit_stopper{**audit};
  // Adapters own their facets; the engine and endpoints hold references.
  std::vector<std::unique_ptr<kp::OutboundAdapter>> outbound_adapters;
  std::vector<std::unique_ptr<kp::InboundAdapter>> inbound_adapters;
  std::map<std::string, const kp::InboundAdapter*> report_adapters;
  std::set<std::string> outbound_destinations;  // adapters with an outbound facet
  const auto& registry = kp::AdapterRegistry::instance();
  const auto config_failure = [](const kp::ConfigError& e) {
    std::cerr << "knutpunkt: invalid configuration at " << e.field << ": " << e.message << "\n";
    return 2;
  };
  for (const auto& adapter_config : config->adapters) {
    kp::AdapterContext context{io, http, config->base_dir, adapter_config.pointer};
    if (const auto* factory = registry.find(adapter_config.kind)) {
      auto adapter = (*factory)(adapter_config.config, context);
      if (!adapter) return config_failure(adapter.error());
      lookups.add_adapter(adapter_config.name, std::move(*adapter));
    }
    if (const auto* factory = registry.find_outbound(adapter_config.kind)) {
      auto adapter = (*factory)(adapter_config.config, context);
      if (!adapter) return config_failure(adapter.error());
      delivery.add_destination(adapter_config.delivery, **adapter);
      outbound_destinations.insert(adapter_config.name);
      outbound_adapters.push_back(std::move(*adapter));
    }
    if (const auto* factory = registry.find_inbound(adapter_config.kind)) {
      auto adapter = (*factory)(adapter_config.config, context);
      if (!adapter) return config_failure(adapter.error());
      report_adapters[adapter_config.name] = adapter->get();
      inbound_adapters.push_back(std::move(*adapter));
    }
  }
  std::map<std::string, std::string> webhook_clients;
  for (const auto& webhook : config->webhooks) {
    outbound_adapters.push_back(std::make_unique<kp::delivery::WebhookAdapter>(webhook.url, webhook.secret));
    delivery.add_destination(webhook.delivery, *outbound_adapters.back());
    webhook_clients[webhook.name] = webhook.client;
  }
  const kp::routing::RouteTable routes(config->routes);
  const kp::routing::EventPublisher publisher(routes, webhook_clients);
  kp::ReferralService referrals(delivery, **store, routes, publisher, outbound_destinations);
  kp::AtersokningService atersokningar(delivery, routes, publisher, outbound_destinations);
  delivery.set_settlement_hook([&referrals, &atersokningar](const kp::OutboxMessage& m, kp::MessageStatus status,
                                                            const std::string& reason) {
    if (m.type == kp::kAtersokningRequested) return atersokningar.on_settled(m, status, reason);
    return referrals.on_settled(m, status, reason);
  });
  kp::sip_coordination::SipCoordinator sip(delivery, **store, publisher, config->sip,
                                           [] { return std::chrono::system_clock::now(); });
  // Every SIP message with content is held to the plan's consent again just before it is sent.
  delivery.set_release_check([&sip](const kp::OutboxMessage& m) { return sip.release_check(m); });
  // Before the server accepts anything: what the store owes is loaded first, so new messages
  // always queue behind older ones with the same ordering key.
  if (auto started = delivery.start(); !started) {
    std::cerr << "knutpunkt: cannot load the outbox: " << started.error().message << "\n";
    return 1;
  }

  std::optional<kp::audit_export::SigningKey> signing_key;
  if (!config->audit.signing_key.empty()) {
    auto key = kp::audit_export::load_signing_key(config->audit.signing_key);
    if (!key) {
      std::cerr << "knutpunkt: cannot load the audit signing key (/audit/signing_key): " << key.error().message << "\n";
      return 2;
    }
    signing_key = std::move(*key);
  }
  kp::identity::SessionRegistry sessions;
  kp::http::ClientAuth auth(config->clients, &sessions);
  std::map<std::string, kp::policy::ExchangePolicy> exchange_policies;
  for (const auto& adapter_config : config->adapters) exchange_policies[adapter_config.name] = adapter_config.policy;
  const kp::authorization::ExchangeAuthorizer exchange_authorizer(**store, config->purposes, exchange_policies);
  kp::http::LookupEndpoint lookup_endpoint(lookups, exchange_authorizer, **audit, auth);
  kp::http::ReadinessEndpoint readiness(io, **store, lookups);
  kp::http::ReferralEndpoint referral_endpoint(referrals, exchange_authorizer, **store, **audit, auth);
  kp::PersonNotificationService notifications(delivery, **store, publisher);
  kp::http::ReportEndpoint report_endpoint(referrals, notifications, **audit, auth, report_adapters, &sip);
  kp::http::EventFeedEndpoint event_feed(**store, **audit, auth);
  kp::http::OperatorEndpoint operator_endpoint(delivery, **store, **audit, auth);
  kp::http::MetricsEndpoint metrics(delivery, **audit, lookups);
  std::set<std::string> partner_names;
  for (const auto& adapter_config : config->adapters) partner_names.insert(adapter_config.name);
  kp::http::ConsentEndpoint consents(
      **store, **audit, auth, partner_names,
      [&sip, &delivery](const kp::ConsentRecord& consent, const std::string& by, std::string kind, nlohmann::json body,
                        std::vector<kp::StoreWrite> writes, kp::AuditLog::OnDurable done) {
        if (consent.partner == "sip") {
          return sip.withdraw_consent(consent, by, std::move(kind), std::move(body), std::move(writes), std::move(done));
        }
        delivery.submit(std::move(kind), std::move(body), std::move(writes), std::move(done));
      });
  kp::http::SipEndpoint sip_endpoint(sip, exchange_authorizer, **audit, auth);
  kp::sip_coordination::SipReminderSchedule sip_reminders(io, sip, config->sip.reminder_interval);
  sip_reminders.start();
  kp::http::CaseEndpoint cases(**store, **audit, auth);
  kp::http::ManualHandlingEndpoint manual_handling(**store, **audit, auth);
  kp::http::AtersokningEndpoint atersokning_endpoint(atersokningar, exchange_authorizer, **store, **audit, auth);
  kp::http::SessionEndpoint session_endpoint(sessions, **audit, config->users);
  std::optional<kp::audit_export::VerifyingKey> checkpoint_key;
  if (signing_key) {
    if (auto half = signing_key->public_half()) checkpoint_key = std::move(*half);
  }
  kp::audit_review::ChainMonitor chain(**store, std::move(checkpoint_key));
  kp::http::AuditEndpoint audit_endpoint(**store, **audit, auth, chain, config->audit,
                                         signing_key ? &*signing_key : nullptr);
  // Gallring once an hour, when configured: what is older than retention_days goes, across a
  // signed checkpoint.
  boost::asio::steady_timer retention_timer(io);
  std::function<void()> schedule_retention = [&] {
    retention_timer.expires_after(std::chrono::hours{1});
    retention_timer.async_wait([&](const boost::system::error_code& ec) {
      if (ec) return;
      const auto cutoff = kp::format_utc(std::chrono::system_clock::now() - std::chrono::days{config->audit.retention_days});
      kp::audit_review::apply_retention(**store, **audit, *signing_key, cutoff, "retention_schedule", [](auto outcome) {
        if (!outcome) kp::log::error("audit.retention_failed", {{"code", outcome.error().code}});
      });
      schedule_retention();
    });
  };
  if (config->audit.retention_days > 0 && signing_key) schedule_retention();
  const kp::http::ConsoleEndpoint console(config->console_dir);
  kp::http::Router router({lookup_endpoint, readiness, referral_endpoint, report_endpoint, event_feed, operator_endpoint,
                           metrics, consents, cases, manual_handling, atersokning_endpoint, session_endpoint,
                           audit_endpoint, sip_endpoint, console});
  kp::http::Server server(
      io,
      kp::http::ServerOptions{config->server.host, config->server.port, config->server.max_body_bytes, config->server.request_timeout},
      [&router](kp::http::Request&& request, const kp::http::RequestContext& context, kp::http::Reply reply) {
        router.handle(std::move(request), context, std::move(reply));
      },
      [&router](const kp::http::Request& header, const kp::http::RequestContext& context, kp::http::Reply reply) {
        router.handle_oversize(header, context, std::move(reply));
      });

  unsigned short port = 0;
  try {
    port = server.start();
  } catch (const boost::system::system_error& e) {
    std::cerr << "knutpunkt: cannot listen on " << config->server.host << ":" << config->server.port << ": " << e.what() << "\n";
    return 1;
  }
  if (auto it = options.find("port-file"); it != options.end() && !write_port_file(it->second, port)) {
    std::cerr << "knutpunkt: cannot write the port file\n";
    return 1;
  }
  kp::log::info("gateway.listening", {{"host", config->server.host}, {"port", port}, {"adapters", lookups.adapter_names()}});

  boost::asio::signal_set signals(io, SIGINT, SIGTERM);
  signals.async_wait([&](const boost::system::error_code&, int signal) {
    kp::log::info("gateway.stopping", {{"signal", signal}});
    server.stop();
    retention_timer.cancel();
    sip_reminders.stop();
    delivery.stop();
    http.close_idle();
    io.stop();
  });

  std::vector<std::thread> threads;
  for (int i = 1; i < config->server.threads; ++i) threads.emplace_back([&io] { io.run(); });
  io.run();
  for (auto& t : threads) t.join();
  // Everything already acknowledged is durable; this drains records still queued.
  (*audit)->stop();
  kp::log::info("gateway.stopped");
  return 0;
}

int audit_verify(const std::map<std::string, std::string>& options) {
  auto db = options.find("db");
  if (db == options.end()) {
    std::cerr << kUsage;
    return 2;
  }
  if (!std::filesystem::exists(db->second)) {
    std::cerr << "knutpunkt: no such database: " << db->second << "\n";
    return 2;
  }
  auto store = kp::open_sqlite_store(db->second);
  if (!store) {
    std::cerr << "knutpunkt: cannot open the store: " << store.error().message << "\n";
    return 2;
  }
  std::expected<kp::VerifyReport, kp::StoreError> report;
  if (auto it = options.find("expect-head"); it != options.end()) {
    // SEQ:HASH, as remembered from an earlier verification (e.g. a daily report).
    auto colon = it->second.find(':');
    kp::ChainHead head;
    auto [end, ec] = std::from_chars(it->second.data(), it->second.data() + std::min(colon, it->second.size()), head.seq);
    if (colon == std::string::npos || ec != std::errc{} || end != it->second.data() + colon) {
      std::cerr << "knutpunkt: --expect-head must be SEQ:HASH\n";
      return 2;
    }
    head.hash = it->second.substr(colon + 1);
    report = kp::verify_chain(**store, head);
  } else {
    report = kp::verify_chain(**store);
  }
  if (!report) {
    std::cerr << "knutpunkt: verification could not run: " << report.error().message << "\n";
    return 2;
  }
  bool intact = report->intact();
  nlohmann::json out = {{"records", report->records}, {"head_seq", report->head_seq}, {"head_hash", report->head_hash}};
  if (report->checkpoint) {
    // After retention the chain rests on a checkpoint; only the gateway's public key says it is
    // genuine, so without --public-key the answer says it was not checked.
    const auto& c = *report->checkpoint;
    out["checkpoint"] = {{"through_seq", c.through_seq}, {"removed_records", c.removed_records},
                         {"removed_before", c.removed_before}, {"key_id", c.key_id}};
    if (auto key_file = options.find("public-key"); key_file != options.end()) {
      auto key = kp::audit_export::load_verifying_key(key_file->second);
      if (!key) {
        std::cerr << "knutpunkt: cannot load the public key: " << key.error().message << "\n";
        return 2;
      }
      const bool valid = kp::audit_review::checkpoint_signature_valid(c, *key);
      out["checkpoint"]["signature_valid"] = valid;
      intact = intact && valid;
    } else {
      out["checkpoint"]["signature_valid"] = nullptr;
    }
  }
  out["intact"] = intact;
  if (report->first_problem) {
    out["first_problem"] = {{"seq", report->first_problem->seq},
                            {"problem", report->first_problem->problem},
                            {"detail", report->first_problem->detail}};
  }
  std::cout << out.dump(2) << "\n";
  return intact ? 0 : 1;
}

}  // namespace

// For config "users": the password is read from stdin (not the command line, which others can see).
static int hash_password_command(const std::map<std::string, std::string>& options) {
  int iterations = kp::identity::kDefaultIterations;
  if (auto it = options.find("iterations"); it != options.end()) iterations = std::atoi(it->second.c_str());
  std::string password;
  std::getline(std::cin, password);
  auto hash = kp::identity::hash_password(password, iterations);
  if (!hash) {
    std::cerr << "knutpunkt: " << hash.error().message << "\n";
    return 2;
  }
  std::cout << *hash << "\n";
  return 0;
}

int main(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  if (args.empty() || args[0] == "--help" || args[0] == "-h") {
    std::cout << kUsage;
    return args.empty() ? 2 : 0;
  }
  if (args[0] == "serve") {
    auto options = read_options(args, 1);
    if (!options) {
      std::cerr << kUsage;
      return 2;
    }
    return serve(*options);
  }
  if (args[0] == "routes" && args.size() == 2 && args[1] == "--json") {
    std::cout << kp::http::gateway_routes(nullptr).to_json().dump(2) << "\n";
    return 0;
  }
  if (args[0] == "user" && args.size() >= 2 && args[1] == "hash-password") {
    auto options = read_options(args, 2);
    if (!options) {
      std::cerr << kUsage;
      return 2;
    }
    return hash_password_command(*options);
  }
  if (args[0] == "audit" && args.size() >= 2) {
    auto options = read_options(args, 2);
    if (!options) {
      std::cerr << kUsage;
      return 2;
    }
    if (args[1] == "verify") {
      // An export is verified from its files and the public key alone, on any machine.
      return options->contains("export") ? kp::audit_export::run_audit_verify_export(*options) : audit_verify(*options);
    }
    if (args[1] == "export") return kp::audit_export::run_audit_export(*options);
    if (args[1] == "keygen") return kp::audit_export::run_audit_keygen(*options);
  }
  std::cerr << kUsage;
  return 2;
}
