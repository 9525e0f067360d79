#include "app/gateway.h"

#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <filesystem>
#include <optional>
#include <thread>

#include "app/periodic_job.h"
#include "attendance/attendance_summaries.h"
#include "audit/audit_log.h"
#include "audit_export/signing_key.h"
#include "audit_review/chain_monitor.h"
#include "audit_review/retention.h"
#include "authorization/exchange_authorizer.h"
#include "cases/case_registry.h"
#include "consent/consent_registry.h"
#include "core/adapter_registry.h"
#include "core/clock.h"
#include "core/private_file.h"
#include "delivery/delivery_engine.h"
#include "delivery/webhook_adapter.h"
#include "http/client_auth.h"
#include "http/router.h"
#include "http/server.h"
#include "http/transport_status.h"
#include "identity/session_registry.h"
#include "log/log.h"
#include "lookup/lookup_service.h"
#include "manual_handling/manual_queue.h"
#include "net/http_client.h"
#include "net/tls_config.h"
#include "notification/person_notification_service.h"
#include "referral/referral_changes.h"
#include "referral/referral_service.h"
#include "referral_deadlines/referral_deadlines.h"
#include "routing/event_feed.h"
#include "routing/event_publisher.h"
#include "routing/route_table.h"
#include "sip_coordination/sip_coordinator.h"
#include "store/store_location.h"
#include "tls/reloadable_context.h"
#include "tls/server_context.h"

namespace knutpunkt::app {

// The store, the audit log, the event loop, and the adapters that speak to partners.
struct Gateway::Infrastructure {
  std::unique_ptr<Store> store;
  std::unique_ptr<AuditLog> audit;
  // Before the event loop: sessions it still holds when it is destroyed count themselves out here.
  http::ConnectionStats connections;
  boost::asio::io_context io;
  net::HttpClient http{io};
  LookupService lookups;
  delivery::DeliveryEngine delivery;
  // Adapters own their facets; the engine and endpoints hold references.
  std::vector<std::unique_ptr<OutboundAdapter>> outbound_adapters;
  std::vector<std::unique_ptr<InboundAdapter>> inbound_adapters;
  std::map<std::string, const InboundAdapter*> report_adapters;
  std::set<std::string> outbound_destinations;  // adapters with an outbound facet
  std::map<std::string, std::string> webhook_clients;
  std::optional<audit_export::SigningKey> signing_key;
  std::optional<boost::asio::signal_set> signals;
  std::optional<boost::asio::signal_set> reload_signal;
  std::optional<boost::asio::steady_timer> drain_timer;
  // Every TLS context the gateway holds, reloaded together on SIGHUP.
  tls::ContextRegistry tls_contexts;
  std::shared_ptr<tls::ReloadableContext> server_tls;

  Infrastructure(std::unique_ptr<Store> s, std::unique_ptr<AuditLog> a, const GatewayConfig& config)
      : store(std::move(s)),
        audit(std::move(a)),
        io(config.server.threads),
        lookups(io, *audit, config.lookup_deadline),
        delivery(io, http, *store, *audit) {}

  std::expected<void, StartError> build_adapters(const GatewayConfig& config);
  std::expected<void, StartError> build_server_tls(const GatewayConfig& config);

  http::TransportStatus transport(const GatewayConfig& config) const {
    return {config.server.plain_http, &tls_contexts};
  }
};

std::expected<void, StartError> Gateway::Infrastructure::build_server_tls(const GatewayConfig& config) {
  if (!config.server.tls) return {};
  const config::ServerTlsSettings settings = *config.server.tls;
  auto context = tls::ReloadableContext::create(
      "server", [settings] { return tls::build_server_context(settings); }, settings.identity.certificate);
  if (!context) return std::unexpected(StartError{2, "cannot serve TLS (/server/tls): " + context.error()});
  server_tls = *context;
  tls_contexts.add(server_tls);
  return {};
}

std::expected<void, StartError> Gateway::Infrastructure::build_adapters(const GatewayConfig& config) {
  const auto& registry = AdapterRegistry::instance();
  const auto failure = [](const ConfigError& e) {
    return std::unexpected(StartError{2, "invalid configuration at " + e.field + ": " + e.message});
  };
  for (const auto& adapter_config : config.adapters) {
    AdapterContext context{io, http, config.base_dir, adapter_config.pointer};
    if (const auto* factory = registry.find(adapter_config.kind)) {
      auto adapter = (*factory)(adapter_config.config, context);
      if (!adapter) return failure(adapter.error());
      lookups.add_adapter(adapter_config.name, std::move(*adapter));
    }
    if (const auto* factory = registry.find_outbound(adapter_config.kind)) {
      auto adapter = (*factory)(adapter_config.config, context);
      if (!adapter) return failure(adapter.error());
      delivery.add_destination(adapter_config.delivery, **adapter);
      outbound_destinations.insert(adapter_config.name);
      outbound_adapters.push_back(std::move(*adapter));
    }
    if (const auto* factory = registry.find_inbound(adapter_config.kind)) {
      auto adapter = (*factory)(adapter_config.config, context);
      if (!adapter) return failure(adapter.error());
      report_adapters[adapter_config.name] = adapter->get();
      inbound_adapters.push_back(std::move(*adapter));
    }
  }
  for (std::size_t i = 0; i < config.webhooks.size(); ++i) {
    const auto& webhook = config.webhooks[i];
    auto tls = net::load_tls_profile(http, "/webhooks/" + std::to_string(i) + "/tls", webhook.tls);
    if (!tls) return failure(tls.error());
    outbound_adapters.push_back(std::make_unique<delivery::WebhookAdapter>(
        webhook.url, webhook.secret, delivery::WebhookAdapter::UnixClock{}, *tls));
    delivery.add_destination(webhook.delivery, *outbound_adapters.back());
    webhook_clients[webhook.name] = webhook.client;
  }
  if (!config.audit.signing_key.empty()) {
    if (auto private_key = require_owner_only(config.audit.signing_key); !private_key) {
      return std::unexpected(
          StartError{2, "refusing the audit signing key (/audit/signing_key): " + private_key.error()});
    }
    auto key = audit_export::load_signing_key(config.audit.signing_key);
    if (!key) {
      return std::unexpected(
          StartError{2, "cannot load the audit signing key (/audit/signing_key): " + key.error().message});
    }
    signing_key = std::move(*key);
  }
  return {};
}

namespace {

attendance::AttendanceRules attendance_rules(const GatewayConfig& config) {
  return {config.attendance.absence_flag_threshold, config.attendance.summary_grace_days};
}

std::map<std::string, policy::ExchangePolicy> exchange_policies(const GatewayConfig& config) {
  std::map<std::string, policy::ExchangePolicy> out;
  for (const auto& adapter : config.adapters) out[adapter.name] = adapter.policy;
  return out;
}

// What a consent may name: an adapter, or Jobbtorg as such (a referral's consent, given before
// routing decides which Jobbtorg gets it).
std::set<std::string> partner_names(const GatewayConfig& config) {
  std::set<std::string> out{kReferralConsentPartner};
  for (const auto& adapter : config.adapters) out.insert(adapter.name);
  return out;
}

std::optional<audit_export::VerifyingKey> checkpoint_key(const std::optional<audit_export::SigningKey>& signing_key) {
  if (!signing_key) return std::nullopt;
  auto half = signing_key->public_half();
  if (!half) return std::nullopt;
  return std::move(*half);
}

}  // namespace

// Everything built on the infrastructure: the services that own the rules, the endpoints that
// translate HTTP, the router and the server, and the periodic jobs.
struct Gateway::Services {
  routing::RouteTable routes;
  routing::EventPublisher publisher;
  ReferralService referrals;
  ReferralChanges referral_changes;
  attendance::AttendanceSummaries attendance_summaries;
  referral_deadlines::ReferralDeadlines referral_deadlines;
  AtersokningService atersokningar;
  sip_coordination::SipCoordinator sip;
  PersonNotificationService notifications;
  identity::SessionRegistry sessions;
  http::ClientAuth auth;
  authorization::ExchangeAuthorizer authorizer;
  CaseRegistry cases;
  consent::ConsentRegistry consents;
  ManualQueue manual_queue;
  routing::EventFeed feed;
  audit_review::ChainMonitor chain;

  // Laid out for the router's table before the router is built, so /metrics can render it.
  http::RequestMetrics request_metrics;
  http::LookupEndpoint lookup_endpoint;
  http::ReadinessEndpoint readiness;
  http::ReferralEndpoint referral_endpoint;
  http::ReportEndpoint report_endpoint;
  http::EventFeedEndpoint feed_endpoint;
  http::OperatorEndpoint operator_endpoint;
  http::MetricsEndpoint metrics;
  http::ConsentEndpoint consent_endpoint;
  http::CaseEndpoint case_endpoint;
  http::ManualHandlingEndpoint manual_endpoint;
  http::AtersokningEndpoint atersokning_endpoint;
  http::SessionEndpoint session_endpoint;
  http::AuditEndpoint audit_endpoint;
  http::SipEndpoint sip_endpoint;
  const http::ConsoleEndpoint console;
  http::AttendanceEndpoint attendance_endpoint;
  http::UnauthenticatedRefusals unauthenticated;
  http::AddressRateLimit unauthenticated_limit;
  http::Router router;
  http::Server server;

  PeriodicJob sip_reminders;
  PeriodicJob attendance_summary_job;
  PeriodicJob referral_time_limits;
  PeriodicJob sign_in_sweep;
  // The readiness checks /readyz answers from; the first runs as the gateway starts listening.
  PeriodicJob readiness_refresh;
  std::optional<PeriodicJob> retention;
  // Appends each address's aggregate of unauthenticated refusals once its minute has closed (a
  // few seconds late at most); run() appends what is still open at a clean stop.
  PeriodicJob unauthenticated_flush;

  Services(const GatewayConfig& config, Infrastructure& i, const Gateway::Clock& time_limit_clock)
      : routes(config.routes),
        publisher(routes, i.webhook_clients),
        referrals(i.delivery, *i.store, routes, publisher, i.outbound_destinations, attendance_rules(config)),
        referral_changes(i.delivery, *i.store, publisher, [] { return std::chrono::system_clock::now(); }),
        // Months complete on the same clock as the time limits run out: both are judged against
        // the calendar, and a test build moves them together.
        attendance_summaries(i.delivery, *i.store, publisher, attendance_rules(config), time_limit_clock),
        referral_deadlines(i.delivery, *i.store, routes, config.route_time_limits, publisher, time_limit_clock),
        atersokningar(i.delivery, routes, publisher, i.outbound_destinations),
        sip(i.delivery, *i.store, publisher, config.sip, [] { return std::chrono::system_clock::now(); }),
        notifications(i.delivery, *i.store, publisher),
        sessions(*i.store, identity::SessionTimeouts{config.sign_in.session_idle, config.sign_in.session_lifetime}),
        auth(config.clients, &sessions),
        authorizer(*i.store, config.purposes, exchange_policies(config)),
        cases(*i.store),
        consents(*i.store,
                 [&i](AuditedWrite w, AuditLog::OnDurable done) {
                   i.delivery.submit(std::move(w.kind), std::move(w.record), std::move(w.writes), std::move(done));
                 }),
        manual_queue(*i.store),
        feed(*i.store),
        chain(*i.store, checkpoint_key(i.signing_key)),
        request_metrics(http::gateway_routes(nullptr)),
        lookup_endpoint(i.lookups, authorizer, *i.audit),
        readiness(i.io, *i.store, i.lookups, config.server.readiness_refresh, i.transport(config)),
        referral_endpoint(referrals, referral_changes, authorizer, *i.store),
        report_endpoint(referrals, notifications, i.report_adapters, &sip),
        feed_endpoint(feed),
        operator_endpoint(i.delivery, *i.store),
        metrics(i.delivery, *i.audit, i.lookups, i.connections, request_metrics, i.transport(config)),
        consent_endpoint(consents, partner_names(config)),
        case_endpoint(cases, referral_changes),
        manual_endpoint(manual_queue),
        atersokning_endpoint(atersokningar, authorizer, *i.store),
        session_endpoint(sessions, *i.store, *i.audit, config.users, config.sign_in),
        audit_endpoint(*i.store, *i.audit, chain, config.audit, i.signing_key ? &*i.signing_key : nullptr),
        sip_endpoint(sip, authorizer),
        console(config.console_dir),
        attendance_endpoint(attendance_summaries),
        unauthenticated(*i.audit, config.server.unauthenticated),
        unauthenticated_limit(config.server.unauthenticated),
        router({lookup_endpoint, readiness, referral_endpoint, report_endpoint, feed_endpoint, operator_endpoint,
                metrics, consent_endpoint, case_endpoint, manual_endpoint, atersokning_endpoint, session_endpoint,
                audit_endpoint, sip_endpoint, console, attendance_endpoint},
               auth, *i.audit, unauthenticated, unauthenticated_limit, request_metrics),
        server(
            i.io,
            http::ServerOptions{config.server.host, config.server.port, config.server.max_body_bytes,
                                config.server.request_timeout, config.server.max_connections, i.server_tls},
            [this](http::Request&& request, const http::RequestContext& context, http::Reply reply) {
              router.handle(std::move(request), context, std::move(reply));
            },
            [this](const http::Request& header, http::Problem problem, const http::RequestContext& context,
                   http::Reply reply) { router.refuse_unread(header, std::move(problem), context, std::move(reply)); },
            i.connections),
        sip_reminders(i.io, "sip_reminders", config.sip.reminder_interval,
                      [this](std::function<void()> done) {
                        sip.raise_reminders([done = std::move(done)](std::expected<int, StoreError> raised) {
                          done();
                          if (!raised)
                            log::warn("sip.reminders_failed", {{"code", raised.error().code}});
                          else if (*raised > 0)
                            log::info("sip.reminders_raised", {{"count", *raised}});
                        });
                      }),
        attendance_summary_job(
            i.io, "attendance_summaries", config.attendance.summary_interval,
            [this](std::function<void()> done) {
              attendance_summaries.raise_due([done = std::move(done)](std::expected<int, StoreError> raised) {
                done();
                if (!raised)
                  log::warn("attendance.summaries_failed", {{"code", raised.error().code}});
                else if (*raised > 0)
                  log::info("attendance.summaries_raised", {{"count", *raised}});
              });
            }),
        // Referral time limits run on SIP's reminder interval: the same machinery, the same pace.
        referral_time_limits(
            i.io, "referral_time_limits", config.sip.reminder_interval,
            [this](std::function<void()> done) {
              referral_deadlines.raise_due([done = std::move(done)](std::expected<int, StoreError> raised) {
                done();
                if (!raised)
                  log::warn("referral.time_limits_failed", {{"code", raised.error().code}});
                else if (*raised > 0)
                  log::info("referral.time_limits_raised", {{"count", *raised}});
              });
            }),
        // Lifted sign-in locks are audited when their window passes; expired sessions are removed.
        sign_in_sweep(i.io, "sign_in_sweep", std::chrono::seconds{30},
                      [this](std::function<void()> done) {
                        session_endpoint.sweep();
                        done();
                      }),
        readiness_refresh(i.io, "readiness_refresh", config.server.readiness_refresh,
                          [this](std::function<void()> done) { readiness.refresh(std::move(done)); }),
        unauthenticated_flush(i.io, "unauthenticated_refusals", std::chrono::seconds{5},
                              [this](std::function<void()> done) {
                                unauthenticated.flush_closed();
                                done();
                              }) {
    register_cross_service_rules(i);
    schedule_retention(config, i);
  }

  void register_cross_service_rules(Infrastructure& i) {
    // Each service settles its own message types and holds back what its rules say must wait.
    referrals.register_with(i.delivery);
    referral_changes.register_with(i.delivery);
    atersokningar.register_with(i.delivery);
    // A referral's consent names Jobbtorg or one Jobbtorg by name; its withdrawal withdraws the
    // referrals resting on it, in the same transaction.
    std::set<std::string> referral_consent_partners = i.outbound_destinations;
    referral_consent_partners.insert(kReferralConsentPartner);
    for (const std::string& partner : referral_consent_partners) {
      consents.on_withdrawal(
          partner, [this](const ConsentRecord& consent, const std::string&, AuditedWrite w, AuditLog::OnDurable done) {
            referral_changes.withdraw_on_consent(consent, std::move(w), std::move(done));
          });
    }
    sip.register_with(i.delivery);
    // A SIP consent's withdrawal stops every plan resting on it, in the same transaction.
    consents.on_withdrawal(sip_coordination::kConsentPartner, [this](const ConsentRecord& consent,
                                                                     const std::string& by, AuditedWrite w,
                                                                     AuditLog::OnDurable done) {
      sip.withdraw_consent(consent, by, std::move(w.kind), std::move(w.record), std::move(w.writes), std::move(done));
    });
  }

  // Gallring once an hour, when configured: what is older than retention_days goes, across a
  // signed checkpoint.
  void schedule_retention(const GatewayConfig& config, Infrastructure& i) {
    if (config.audit.retention_days <= 0 || !i.signing_key) return;
    const int days = config.audit.retention_days;
    retention.emplace(i.io, "audit_retention", std::chrono::hours{1}, [&i, days](std::function<void()> done) {
      const auto now = std::chrono::system_clock::now();
      const auto cutoff = audit_review::retention_floor(days, now);
      audit_review::apply_retention(*i.store, *i.audit, *i.signing_key, *cutoff, days, now,
                                    audit_review::RetentionMandate{"retention_schedule", 0, "", 0},
                                    [done = std::move(done)](auto outcome) {
                                      done();
                                      if (!outcome)
                                        log::error("audit.retention_failed", {{"code", outcome.error().code}});
                                    });
    });
  }
};

Gateway::Gateway(GatewayConfig config, Clock time_limit_clock)
    : config_(std::move(config)), time_limit_clock_(std::move(time_limit_clock)) {
  if (!time_limit_clock_) time_limit_clock_ = [] { return std::chrono::system_clock::now(); };
}

std::expected<std::unique_ptr<Gateway>, StartError> Gateway::open(GatewayConfig config, Clock time_limit_clock) {
  auto store = open_store(config.store);
  if (!store) {
    log::error("store.open_failed", {{"code", store.error().code}, {"message", store.error().message}});
    return std::unexpected(StartError{1, "cannot open the store: " + store.error().message});
  }
  auto audit = AuditLog::open(**store);
  if (!audit) return std::unexpected(StartError{1, "cannot open the audit log: " + audit.error().message});

  std::unique_ptr<Gateway> gateway(new Gateway(std::move(config), std::move(time_limit_clock)));
  gateway->infrastructure_ = std::make_unique<Infrastructure>(std::move(*store), std::move(*audit), gateway->config_);
  if (auto built = gateway->infrastructure_->build_adapters(gateway->config_); !built) {
    return std::unexpected(built.error());
  }
  if (auto built = gateway->infrastructure_->build_server_tls(gateway->config_); !built) {
    return std::unexpected(built.error());
  }
  // The partners' and webhooks' client certificates rotate with the server's on SIGHUP.
  for (const auto& profile : gateway->infrastructure_->http.tls_profiles()) {
    gateway->infrastructure_->tls_contexts.add(profile->reloadable());
  }
  gateway->services_ =
      std::make_unique<Services>(gateway->config_, *gateway->infrastructure_, gateway->time_limit_clock_);
  // The instance's id and lease length: which ordering keys it delivers among the instances
  // sharing the store.
  gateway->infrastructure_->delivery.set_leases(gateway->config_.delivery_leases);
  // Before the server accepts anything: what the store owes is loaded first, so new messages
  // always queue behind older ones with the same ordering key.
  if (auto started = gateway->infrastructure_->delivery.start(); !started) {
    return std::unexpected(StartError{1, "cannot load the outbox: " + started.error().message});
  }
  return gateway;
}

Gateway::~Gateway() {
  // The audit writer drains and runs its callbacks, which reach into the services and the
  // delivery engine: all of them still live here. Refusals counted but not yet appended (a gateway
  // that never ran) go in first.
  if (services_) services_->unauthenticated.flush_all();
  if (infrastructure_) infrastructure_->audit->stop();
  services_.reset();
}

std::expected<unsigned short, StartError> Gateway::listen() {
  unsigned short port = 0;
  try {
    port = services_->server.start();
  } catch (const boost::system::system_error& e) {
    return std::unexpected(StartError{
        1, "cannot listen on " + config_.server.host + ":" + std::to_string(config_.server.port) + ": " + e.what()});
  }
  services_->sip_reminders.start();
  services_->attendance_summary_job.start();
  services_->referral_time_limits.start();
  services_->sign_in_sweep.start();
  services_->readiness.refresh([] {});
  services_->readiness_refresh.start();
  services_->unauthenticated_flush.start();
  if (services_->retention) services_->retention->start();
  return port;
}

void Gateway::run() {
  auto& io = infrastructure_->io;
  std::vector<std::thread> threads;
  for (int i = 1; i < config_.server.threads; ++i) threads.emplace_back([&io] { io.run(); });
  io.run();
  for (auto& t : threads) t.join();
  // No request is handled any more: the refusals still counted go into the log before it stops.
  services_->unauthenticated.flush_all();
  // Everything already acknowledged is durable; this drains records still queued.
  infrastructure_->audit->stop();
}

void Gateway::stop() {
  services_->server.stop();
  if (services_->retention) services_->retention->stop();
  services_->sip_reminders.stop();
  services_->attendance_summary_job.stop();
  services_->referral_time_limits.stop();
  services_->sign_in_sweep.stop();
  services_->readiness_refresh.stop();
  services_->unauthenticated_flush.stop();
  infrastructure_->delivery.stop();
  infrastructure_->http.close_idle();
  infrastructure_->io.stop();
}

void Gateway::stop_on_signals() {
  auto& signals = infrastructure_->signals.emplace(infrastructure_->io, SIGINT, SIGTERM);
  signals.async_wait([this](const boost::system::error_code& ec, int signal) {
    if (ec) return;
    log::info("gateway.stopping", {{"signal", signal}, {"drain_timeout_ms", config_.server.drain_timeout.count()}});
    drain_then_stop(std::chrono::steady_clock::now() + config_.server.drain_timeout);
    // A second signal while draining: the operator does not want to wait.
    infrastructure_->signals->async_wait([this](const boost::system::error_code& again, int) {
      if (!again) stop();
    });
  });
  // SIGHUP's default action ends the process; systemd's ExecReload sends it to reload the TLS
  // certificates and keys, and the process goes on serving.
  infrastructure_->reload_signal.emplace(infrastructure_->io, SIGHUP);
  wait_for_reload();
}

void Gateway::wait_for_reload() {
  infrastructure_->reload_signal->async_wait([this](const boost::system::error_code& ec, int) {
    if (ec) return;
    log::info("gateway.reload_requested");
    reload_certificates();
    wait_for_reload();
  });
}

// New connections take the new certificates; those under way finish on the ones they started
// with. A context whose files do not load keeps serving with its previous certificate.
void Gateway::reload_certificates() {
  auto& contexts = infrastructure_->tls_contexts;
  const auto failures = contexts.reload_all();
  for (const auto& failure : failures) {
    log::error("tls.reload_failed", {{"certificate", failure.name}, {"reason", failure.reason}});
  }
  const auto now = std::chrono::system_clock::now();
  for (const auto& [name, not_after] : contexts.expiries()) {
    log::info("tls.certificate", {{"certificate", name},
                                  {"not_after", format_utc(not_after)},
                                  {"days_left", std::chrono::floor<std::chrono::days>(not_after - now).count()}});
  }
  log::info("tls.reloaded", {{"failed", failures.size()}});
}

// Stops accepting, then polls until the requests under way are answered or the deadline passes.
// Jobs and deliveries go on meanwhile: an in-flight request may be waiting on them.
void Gateway::drain_then_stop(std::chrono::steady_clock::time_point deadline) {
  services_->server.drain();
  auto& timer = infrastructure_->drain_timer.emplace(infrastructure_->io);
  const auto check = [this, deadline, &timer](auto& self) -> void {
    const auto open = services_->server.in_flight();
    if (open == 0 || std::chrono::steady_clock::now() >= deadline) {
      if (open > 0) log::warn("gateway.drain_timed_out", {{"in_flight", open}});
      stop();
      return;
    }
    timer.expires_after(std::chrono::milliseconds(20));
    timer.async_wait([self](const boost::system::error_code& ec) {
      if (!ec) self(self);
    });
  };
  check(check);
}

std::vector<std::string> Gateway::adapter_names() const {
  return infrastructure_->lookups.adapter_names();
}

}  // namespace knutpunkt::app
