#include "config/gateway_config.h"

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <fstream>
#include <regex>

#include "config/field_reader.h"
#include "config/secret_fields.h"
#include "core/adapter_registry.h"
#include "identity/password_hash.h"
#include "net/http_client.h"
#include "net/tls_config.h"
#include "policy/period.h"
#include "store/postgres/connection_string.h"

namespace knutpunkt {
namespace {

using json = nlohmann::json;
using Checked = std::expected<void, ConfigError>;

// /adapters/*/policy: how exchanges with this partner are bound (policy/exchange_policy.h).
void read_exchange_policy(FieldReader& f, const std::map<std::string, PurposeConfig>& known_purposes,
                          policy::ExchangePolicy& out) {
  f.only({"purposes", "legal_basis", "max_period_months", "comment"});
  std::vector<std::string> purposes;
  f.strings("purposes", purposes);
  for (std::size_t k = 0; f.ok() && k < purposes.size(); ++k) {
    if (!known_purposes.contains(purposes[k])) {
      f.fail("purposes/" + std::to_string(k), "must name a purpose listed under /purposes");
    }
  }
  out.purposes.insert(purposes.begin(), purposes.end());
  std::string basis;
  f.string("legal_basis", basis);
  f.code("legal_basis", out.legal_basis, {{"law", policy::LegalBasis::law}, {"consent", policy::LegalBasis::consent}},
         "must be law or consent");
  int months = static_cast<int>(out.max_period.count());
  f.integer("max_period_months", months, 1, policy::kMaxRequestPeriod.count());
  out.max_period = std::chrono::months{months};
}

void read_retry(FieldReader& f, delivery::RetryPolicy& p) {
  f.only({"max_attempts", "max_age_s", "initial_backoff_ms", "multiplier", "max_backoff_ms", "jitter",
          "max_retry_after_s"});
  f.integer("max_attempts", p.max_attempts, 1, 1000);
  f.duration<std::chrono::seconds>("max_age_s", p.max_age, 1, 30LL * 24 * 3600);
  f.millis("initial_backoff_ms", p.initial_backoff, 1, 3600000);
  f.number("multiplier", p.multiplier, 1.0, 10.0);
  f.millis("max_backoff_ms", p.max_backoff, 1, 24LL * 3600000);
  f.number("jitter", p.jitter, 0.0, 1.0);
  f.duration<std::chrono::seconds>("max_retry_after_s", p.max_retry_after, 0, 24LL * 3600);
  if (f.ok() && p.max_backoff < p.initial_backoff) f.fail("max_backoff_ms", "must not be below initial_backoff_ms");
}

// /adapters/*/delivery and /webhooks/*/delivery: how one destination is delivered to. A fault in
// retry or breaker is reported before one in the fields beside them.
void read_delivery(FieldReader& f, delivery::DestinationSettings& out) {
  f.object("retry", [&](FieldReader& retry) { read_retry(retry, out.retry); });
  f.object("breaker", [&](FieldReader& breaker) {
    breaker.only({"failure_threshold", "open_ms"});
    breaker.integer("failure_threshold", out.breaker.failure_threshold, 1, 1000);
    breaker.millis("open_ms", out.breaker.open_for, 10, 3600000);
  });
  f.only({"timeout_ms", "max_in_flight", "retry", "breaker"});
  f.millis("timeout_ms", out.timeout, 100, 600000);
  f.integer("max_in_flight", out.max_in_flight, 1, 256);
}

// TLS unless the config says in so many words that it serves plain HTTP: tokens, passwords and
// personnummer cross this port.
void read_server_transport(FieldReader& f, GatewayConfig& cfg) {
  f.boolean("plain_http", cfg.server.plain_http);
  f.object("tls", [&](FieldReader& t) {
    t.only({"certificate", "key", "key_password_file", "key_password_env", "client_ca_file", "client_certificate"});
    config::ServerTlsSettings tls;
    config::read_key_pair(t, tls.identity, Presence::required, cfg.base_dir);
    tls.identity.certificate = resolve_path(cfg.base_dir, tls.identity.certificate).string();
    tls.identity.key = resolve_path(cfg.base_dir, tls.identity.key).string();
    t.string("client_ca_file", tls.client_ca_file);
    if (!tls.client_ca_file.empty()) tls.client_ca_file = resolve_path(cfg.base_dir, tls.client_ca_file).string();
    t.code("client_certificate", tls.client_certificate_required, {{"optional", false}, {"required", true}},
           "must be optional or required");
    if (t.ok() && t.has("client_certificate") && tls.client_ca_file.empty()) {
      t.fail("client_certificate", "needs client_ca_file to verify client certificates against");
    }
    cfg.server.tls = std::move(tls);
  });
  if (!f.ok()) return;
  if (cfg.server.tls && cfg.server.plain_http) return f.fail("plain_http", "give tls or plain_http, not both");
  if (!cfg.server.tls && !cfg.server.plain_http) {
    f.fail("tls", "is required (certificate and key); set \"plain_http\": true to serve without TLS");
  }
}

// It is written to the store and to logs: letters, digits and . _ - : only.
void read_instance_id(FieldReader& f, std::string& out) {
  if (!f.has("instance_id")) return;
  f.non_empty_string("instance_id", out);
  const bool plain = out.size() <= 128 && std::all_of(out.begin(), out.end(), [](unsigned char c) {
                       return std::isalnum(c) || c == '.' || c == '_' || c == '-' || c == ':';
                     });
  if (f.ok() && !plain) f.fail("instance_id", "must be at most 128 letters, digits, '.', '_', '-' or ':'");
}

Checked read_server(FieldReader& top, GatewayConfig& cfg) {
  top.object(
      "server",
      [&](FieldReader& f) {
        f.only({"host", "port", "threads", "max_body_bytes", "request_timeout_ms", "max_connections",
                "readiness_refresh_ms", "drain_timeout_ms", "unauthenticated", "tls", "plain_http", "instance_id"});
        f.string("host", cfg.server.host);
        f.integer("port", cfg.server.port, 0, 65535);
        f.integer("threads", cfg.server.threads, 1, 64);
        f.integer("max_body_bytes", cfg.server.max_body_bytes, 1024, 16 * 1024 * 1024);
        f.millis("request_timeout_ms", cfg.server.request_timeout, 100, 600000);
        f.integer("max_connections", cfg.server.max_connections, 1, 1000000);
        f.millis("readiness_refresh_ms", cfg.server.readiness_refresh, 100, 600000);
        f.millis("drain_timeout_ms", cfg.server.drain_timeout, 0, 600000);
        f.object("unauthenticated", [&](FieldReader& u) {
          auto& c = cfg.server.unauthenticated;
          u.only({"burst", "per_minute", "max_addresses", "max_routes_per_aggregate"});
          u.integer("burst", c.burst, 1, 100000);
          u.integer("per_minute", c.per_minute, 1, 100000);
          u.integer("max_addresses", c.max_addresses, 1, 10000000);
          u.integer("max_routes_per_aggregate", c.max_routes_per_aggregate, 1, 256);
        });
        read_instance_id(f, cfg.server.instance_id);
        read_server_transport(f, cfg);
      },
      Presence::required);
  return top.result();
}

// /delivery: settings of this instance's delivery as a whole (each destination's are under
// /adapters/*/delivery and /webhooks/*/delivery).
Checked read_delivery_section(FieldReader& top, GatewayConfig& cfg) {
  top.object("delivery", [&](FieldReader& f) {
    f.only({"lease_ms"});
    f.millis("lease_ms", cfg.delivery_leases.length, 3000, 600000);
  });
  cfg.delivery_leases.holder = cfg.server.instance_id;
  return top.result();
}

// A connection string must not carry the password (the config is shared; the password comes from
// password_file or password_env), and data about clients must not cross a network unencrypted or
// to a server nobody verified: a host that is not this machine needs sslmode verify-ca or
// verify-full.
void read_postgres(FieldReader& f, GatewayConfig& cfg) {
  PostgresSettings& pg = cfg.store.postgres;
  f.string("connection", pg.connection, Presence::required);
  f.integer("pool_size", pg.pool_size, 1, 64);
  std::string password;
  config::read_secret(f, cfg.base_dir, "password_file", "password_env", password);
  if (!password.empty()) pg.password = std::move(password);
  if (!f.ok()) return;
  auto facts = postgres::inspect_connection_string(pg.connection);
  if (!facts) return f.fail("connection", "is not a libpq connection string: " + facts.error());
  if (facts->has_password) return f.fail("connection", "holds a password; give it in password_file or password_env");
  if (!facts->local_only && !facts->verified_tls) {
    return f.fail("connection",
                  "reaches another machine without verified TLS; add sslmode=verify-full and sslrootcert=FILE");
  }
}

Checked read_store(FieldReader& top, GatewayConfig& cfg) {
  top.object(
      "store",
      [&](FieldReader& f) {
        f.string("kind", cfg.store.kind, Presence::required);
        if (f.ok() && cfg.store.kind != "sqlite" && cfg.store.kind != "postgresql")
          f.fail("kind", "unsupported store kind (supported: sqlite, postgresql)");
        if (!f.ok()) return;
        if (cfg.store.kind == "sqlite") {
          f.only({"kind", "path"}, "is not a field of a sqlite store");
          std::string path;
          f.string("path", path, Presence::required);
          cfg.store.path = resolve_path(cfg.base_dir, path);
          return;
        }
        f.only({"kind", "connection", "password_file", "password_env", "pool_size"},
               "is not a field of a postgresql store");
        read_postgres(f, cfg);
      },
      Presence::required);
  return top.result();
}

Checked read_log(FieldReader& top, GatewayConfig& cfg) {
  top.object("log", [&](FieldReader& f) {
    f.only({"level", "file"});
    std::string file;
    f.string("level", cfg.log.level);
    f.string("file", file, Presence::optional, Emptiness::allowed);
    if (f.ok() && cfg.log.level != "debug" && cfg.log.level != "info" && cfg.log.level != "warn" &&
        cfg.log.level != "error") {
      f.fail("level", "must be one of debug, info, warn, error");
    }
    cfg.log.file = resolve_path(cfg.base_dir, file);
  });
  return top.result();
}

Checked read_lookup(FieldReader& top, GatewayConfig& cfg) {
  top.object("lookup", [&](FieldReader& f) {
    f.only({"deadline_ms"});
    f.millis("deadline_ms", cfg.lookup_deadline, 100, 120000);
  });
  return top.result();
}

Checked read_purposes(FieldReader& top, GatewayConfig& cfg) {
  top.object(
      "purposes",
      [&](FieldReader& purposes) {
        for (const auto& [code, _] : purposes.value().items()) {
          purposes.object(code, [&](FieldReader& f) {
            f.only({"description"});
            PurposeConfig p{code, {}};
            f.string("description", p.description, Presence::required);
            cfg.purposes.emplace(code, std::move(p));
          });
        }
        if (purposes.ok() && cfg.purposes.empty()) purposes.fail("", "must list at least one purpose");
      },
      Presence::required);
  return top.result();
}

void read_roles(FieldReader& f, ClientConfig& c) {
  if (!f.has("roles")) return;
  std::vector<std::string> roles;
  f.strings("roles", roles);
  c.roles = {roles.begin(), roles.end()};
  for (const std::string& role : c.roles) {
    if (role != kRoleCaseSystem && role != kRolePartner && role != kRoleOperator && role != kRoleAuditor) {
      f.fail("roles", "roles are case_system, partner, operator and auditor");
    }
  }
  if (f.ok() && c.roles.empty()) f.fail("roles", "must list at least one role");
}

void read_client_purposes(FieldReader& f, const std::map<std::string, PurposeConfig>& known, ClientConfig& c) {
  const json* purposes = f.field("purposes", Presence::required);
  if (purposes == nullptr) return;
  if (!purposes->is_array()) return f.fail("purposes", "must be an array of purpose codes");
  for (std::size_t k = 0; k < purposes->size(); ++k) {
    const json& p = (*purposes)[k];
    if (!p.is_string() || !known.contains(p.get<std::string>())) {
      return f.fail("purposes/" + std::to_string(k), "must name a purpose listed under /purposes");
    }
    c.purposes.insert(p.get<std::string>());
  }
}

void read_operations(FieldReader& f, ClientConfig& c) {
  // Least privilege: a case system is granted its operations one by one, never by default.
  if (f.ok() && c.roles.contains(kRoleCaseSystem)) f.field("operations", Presence::required);
  static const std::regex operation_re(
      "(lookup:(\\*|[a-z][a-z0-9_-]{0,31})|referral|atersokning|sip|case:register|consent:record)");
  std::vector<std::string> operations;
  f.strings("operations", operations);
  for (std::size_t k = 0; f.ok() && k < operations.size(); ++k) {
    if (!std::regex_match(operations[k], operation_re)) {
      f.fail("operations/" + std::to_string(k),
             "operations are lookup:<adapter>, lookup:*, referral, atersokning, sip, case:register and "
             "consent:record");
    }
  }
  if (f.ok() && !operations.empty() && !c.roles.contains(kRoleCaseSystem)) {
    f.fail("operations", "only a client with role case_system is granted operations");
  }
  c.operations.insert(operations.begin(), operations.end());
}

void read_organisation(FieldReader& f, std::set<std::string>& ids, OrganisationConfig& o) {
  static const std::regex id_re("[a-z0-9][a-z0-9-]{0,63}");
  static const std::regex kommunkod("[0-9]{4}");
  f.only({"id", "name", "municipality", "units", "comment"});
  f.string("id", o.id, Presence::required);
  if (f.ok() && !std::regex_match(o.id, id_re)) f.fail("id", "must match [a-z0-9][a-z0-9-]{0,63}");
  if (f.ok() && !ids.insert(o.id).second) f.fail("id", "duplicate organisation id");
  f.string("name", o.name, Presence::required);
  f.string("municipality", o.municipality, Presence::required);
  if (f.ok() && !std::regex_match(o.municipality, kommunkod)) {
    f.fail("municipality", "must be a kommunkod of 4 digits");
  }
  std::vector<std::string> units;
  f.strings("units", units, Presence::required);
  for (std::size_t k = 0; f.ok() && k < units.size(); ++k) {
    if (units[k].empty()) f.fail("units/" + std::to_string(k), "must be a non-empty unit name");
  }
  if (f.ok() && units.empty()) f.fail("units", "must list at least one unit");
  o.units.insert(units.begin(), units.end());
}

Checked read_organisations(FieldReader& top, GatewayConfig& cfg) {
  std::set<std::string> ids;
  top.objects("organisations", [&](FieldReader& f, std::size_t) {
    OrganisationConfig o;
    read_organisation(f, ids, o);
    cfg.organisations.push_back(std::move(o));
  });
  return top.result();
}

// A case system registers cases and records consents for its organisation, and relies on that
// organisation's only: without one it would have nothing to look up within.
void read_client_organisation(FieldReader& f, const std::vector<OrganisationConfig>& known, ClientConfig& c) {
  f.string("organisation", c.organisation, c.roles.contains(kRoleCaseSystem) ? Presence::required : Presence::optional);
  if (f.ok() && !c.organisation.empty() &&
      std::none_of(known.begin(), known.end(), [&](const auto& o) { return o.id == c.organisation; })) {
    f.fail("organisation", "must name an organisation listed under /organisations");
  }
}

bool lower_hex(std::string_view text, std::size_t digits) {
  return text.size() == digits && text.find_first_not_of("0123456789abcdef") == std::string_view::npos;
}

void read_certificate_binding(FieldReader& f, CertificateBinding& out) {
  f.only({"sha256", "issuer", "serial_number"});
  f.string("sha256", out.sha256);
  f.string("issuer", out.issuer);
  f.string("serial_number", out.subject_serial_number);
  if (!f.ok()) return;
  if (!out.sha256.empty()) {
    if (!out.issuer.empty() || !out.subject_serial_number.empty()) {
      return f.fail("sha256", "give a sha256 pin, or issuer and serial_number, not both");
    }
    if (!lower_hex(out.sha256, 64))
      f.fail("sha256", "must be 64 lower-case hex digits (SHA-256 of the DER certificate)");
    return;
  }
  if (out.issuer.empty()) return f.fail("", "needs sha256, or issuer and serial_number");
  if (out.subject_serial_number.empty()) f.fail("serial_number", "is required with issuer");
}

// A token, a certificate, or both; the server must ask for client certificates for a binding to
// mean anything.
void read_client_credentials(FieldReader& f, const ServerConfig& server, ClientConfig& c) {
  f.object("certificate", [&](FieldReader& binding) { read_certificate_binding(binding, c.certificate); });
  if (!f.ok()) return;
  c.authentication = c.certificate.empty() ? ClientAuthentication::token : ClientAuthentication::token_and_certificate;
  f.code("authentication", c.authentication,
         {{"token", ClientAuthentication::token},
          {"certificate", ClientAuthentication::certificate},
          {"token_and_certificate", ClientAuthentication::token_and_certificate}},
         "must be one of token, certificate, token_and_certificate");
  if (!f.ok()) return;
  const bool needs_certificate = c.authentication != ClientAuthentication::token;
  if (needs_certificate && c.certificate.empty()) return f.fail("certificate", "is required by this authentication");
  if (!needs_certificate && !c.certificate.empty()) {
    return f.fail("authentication", "\"token\" ignores the certificate binding; use token_and_certificate");
  }
  if (needs_certificate && (!server.tls || server.tls->client_ca_file.empty())) {
    return f.fail("certificate", "needs /server/tls/client_ca_file: client certificates are verified against it");
  }
  const bool needs_token = c.authentication != ClientAuthentication::certificate;
  f.string("token_sha256", c.token_sha256, needs_token ? Presence::required : Presence::optional);
  if (f.ok() && (needs_token || !c.token_sha256.empty()) && !lower_hex(c.token_sha256, 64)) {
    f.fail("token_sha256", "must be 64 lower-case hex digits (SHA-256 of the token)");
  }
}

Checked read_clients(FieldReader& top, GatewayConfig& cfg) {
  std::set<std::string> ids;
  top.objects(
      "clients",
      [&](FieldReader& f, std::size_t) {
        f.only({"id", "token_sha256", "certificate", "authentication", "purposes", "roles", "operations",
                "partner_adapter", "organisation", "comment"});
        ClientConfig c;
        read_roles(f, c);
        f.string("partner_adapter", c.partner_adapter);
        if (f.ok() && c.roles.contains(kRolePartner) && c.partner_adapter.empty()) {
          f.fail("partner_adapter", "is required for a client with role partner");
        }
        f.string("id", c.id, Presence::required);
        read_client_credentials(f, cfg.server, c);
        if (f.ok() && !ids.insert(c.id).second) f.fail("id", "duplicate client id");
        read_client_purposes(f, cfg.purposes, c);
        read_operations(f, c);
        read_client_organisation(f, cfg.organisations, c);
        cfg.clients.push_back(std::move(c));
      },
      Presence::required);
  return top.result();
}

Checked read_users(FieldReader& top, GatewayConfig& cfg) {
  static const std::regex user_id("[a-z][a-z0-9._-]{0,63}");
  std::set<std::string> ids;
  top.objects("users", [&](FieldReader& f, std::size_t) {
    f.only({"id", "name", "roles", "password_hash", "comment"});
    UserConfig u;
    f.string("id", u.id, Presence::required);
    if (f.ok() && !std::regex_match(u.id, user_id)) f.fail("id", "must match [a-z][a-z0-9._-]{0,63}");
    if (f.ok() && !ids.insert(u.id).second) f.fail("id", "duplicate user id");
    f.string("name", u.name, Presence::required);
    std::vector<std::string> roles;
    f.strings("roles", roles, Presence::required);
    for (const std::string& role : roles) {
      if (role != kRoleAuditor && role != kRoleOperator && role != kRoleAdmin) {
        f.fail("roles", "roles are auditor, operator and admin");
      }
    }
    if (f.ok() && roles.empty()) f.fail("roles", "must list at least one role");
    u.roles.insert(roles.begin(), roles.end());
    f.string("password_hash", u.password_hash, Presence::required);
    if (f.ok() && !identity::is_password_hash(u.password_hash)) {
      f.fail("password_hash",
             "must be pbkdf2-sha256$<iterations>$<salt hex>$<hash hex> (knutpunkt user hash-password)");
    }
    cfg.users.push_back(std::move(u));
  });
  return top.result();
}

Checked read_audit(FieldReader& top, GatewayConfig& cfg) {
  top.object("audit", [&](FieldReader& f) {
    f.only({"signing_key", "export_dir", "instance_id", "retention_days", "comment"});
    std::string key, dir;
    f.string("signing_key", key);
    f.string("export_dir", dir);
    f.string("instance_id", cfg.audit.instance_id);
    f.integer("retention_days", cfg.audit.retention_days, 0, 36500);
    if (f.ok() && cfg.audit.retention_days > 0 && key.empty()) {
      f.fail("retention_days", "needs signing_key: every retention checkpoint is signed");
    }
    cfg.audit.signing_key = resolve_path(cfg.base_dir, key);
    cfg.audit.export_dir = resolve_path(cfg.base_dir, dir);
  });
  return top.result();
}

// /console/sign_in: how many failed sign-ins a user name and an address may make per window, how
// many of each are remembered, and how long a session lasts idle and at most.
void read_sign_in(FieldReader& f, SignInSettings& s) {
  f.only({"max_failures_per_user", "max_failures_per_address", "failure_window_s", "max_tracked", "session_idle_s",
          "session_lifetime_s", "comment"});
  f.integer("max_failures_per_user", s.max_failures_per_user, 1, 100);
  f.integer("max_failures_per_address", s.max_failures_per_address, 1, 10000);
  f.duration<std::chrono::seconds>("failure_window_s", s.failure_window, 60, 24LL * 3600);
  f.integer("max_tracked", s.max_tracked, 100, 1000000);
  f.duration<std::chrono::seconds>("session_idle_s", s.session_idle, 60, 24LL * 3600);
  f.duration<std::chrono::seconds>("session_lifetime_s", s.session_lifetime, 60, 7LL * 24 * 3600);
  if (f.ok() && s.max_failures_per_address < s.max_failures_per_user) {
    f.fail("max_failures_per_address", "must not be below max_failures_per_user");
  }
  if (f.ok() && s.session_lifetime < s.session_idle) f.fail("session_lifetime_s", "must not be below session_idle_s");
}

Checked read_console(FieldReader& top, GatewayConfig& cfg) {
  top.object("console", [&](FieldReader& f) {
    f.only({"static_dir", "sign_in", "comment"});
    std::string dir;
    f.string("static_dir", dir, Presence::required);
    cfg.console_dir = resolve_path(cfg.base_dir, dir);
    f.object("sign_in", [&](FieldReader& sign_in) { read_sign_in(sign_in, cfg.sign_in); });
  });
  return top.result();
}

void read_adapter(FieldReader& f, const std::map<std::string, PurposeConfig>& purposes, std::set<std::string>& names,
                  AdapterConfig& a) {
  static const std::regex name_re("[a-z][a-z0-9_-]{0,31}");
  f.only({"name", "kind", "config", "delivery", "policy"});
  a.pointer = f.pointer() + "/config";
  f.string("name", a.name, Presence::required);
  f.string("kind", a.kind, Presence::required);
  if (f.ok() && !std::regex_match(a.name, name_re)) f.fail("name", "must match [a-z][a-z0-9_-]{0,31}");
  if (f.ok() && !names.insert(a.name).second) f.fail("name", "duplicate adapter name");
  const auto& registry = AdapterRegistry::instance();
  if (f.ok() && registry.find(a.kind) == nullptr && registry.find_outbound(a.kind) == nullptr &&
      registry.find_inbound(a.kind) == nullptr) {
    f.fail("kind", "no adapter of this kind is built in");
  }
  if (const json* c = f.field("config", Presence::required)) a.config = *c;
  a.delivery.name = a.name;
  if (f.ok() && f.has("delivery") && registry.find_outbound(a.kind) == nullptr) {
    f.fail("delivery", "this adapter kind delivers nothing");
  }
  f.object("delivery", [&](FieldReader& delivery) { read_delivery(delivery, a.delivery); });
  f.object("policy", [&](FieldReader& policy) { read_exchange_policy(policy, purposes, a.policy); });
}

Checked read_adapters(FieldReader& top, GatewayConfig& cfg) {
  std::set<std::string> names;
  top.objects(
      "adapters",
      [&](FieldReader& f, std::size_t) {
        AdapterConfig a;
        read_adapter(f, cfg.purposes, names, a);
        cfg.adapters.push_back(std::move(a));
      },
      Presence::required);
  return top.result();
}

// Granted lookups must name adapters that answer lookups: a typo would otherwise fail closed at
// run time, silently.
Checked check_lookup_grants(FieldReader&, GatewayConfig& cfg) {
  const std::string prefix = std::string(kOperationLookup) + ":";
  for (std::size_t i = 0; i < cfg.clients.size(); ++i) {
    for (const std::string& operation : cfg.clients[i].operations) {
      if (!operation.starts_with(prefix) || operation == prefix + "*") continue;
      const std::string name = operation.substr(prefix.size());
      const bool answers = std::any_of(cfg.adapters.begin(), cfg.adapters.end(), [&](const auto& a) {
        return a.name == name && AdapterRegistry::instance().find(a.kind) != nullptr;
      });
      if (!answers) {
        return std::unexpected(ConfigError{"/clients/" + std::to_string(i) + "/operations",
                                           "lookup:" + name + " names no configured lookup adapter"});
      }
    }
  }
  return {};
}

Checked check_partner_adapters(FieldReader&, GatewayConfig& cfg) {
  for (std::size_t i = 0; i < cfg.clients.size(); ++i) {
    const ClientConfig& c = cfg.clients[i];
    if (c.partner_adapter.empty()) continue;
    const bool reports = std::any_of(cfg.adapters.begin(), cfg.adapters.end(), [&](const auto& a) {
      return a.name == c.partner_adapter && AdapterRegistry::instance().find_inbound(a.kind) != nullptr;
    });
    if (!reports) {
      return std::unexpected(ConfigError{"/clients/" + std::to_string(i) + "/partner_adapter",
                                         "must name a configured adapter that accepts reports"});
    }
  }
  return {};
}

bool delivers(const AdapterConfig& adapter) {
  return AdapterRegistry::instance().find_outbound(adapter.kind) != nullptr;
}

void read_participant_system(FieldReader& s, const std::vector<AdapterConfig>& adapters, SipParticipantSystem& out) {
  static const std::regex organisation_re("[a-z0-9][a-z0-9-]{0,63}(/[a-z0-9][a-z0-9-]{0,63}){0,3}/?");
  s.only({"organisation", "adapter", "comment"});
  s.string("organisation", out.organisation, Presence::required);
  s.string("adapter", out.adapter, Presence::required);
  if (s.ok() && !std::regex_match(out.organisation, organisation_re)) {
    s.fail("organisation", "must be an organisation id, or a prefix of them ending in /");
  }
  // A plan goes to a participant only through an adapter that delivers SIP messages.
  if (s.ok() && std::none_of(adapters.begin(), adapters.end(),
                             [&](const auto& a) { return a.name == out.adapter && delivers(a); })) {
    s.fail("adapter", "must name a configured adapter that delivers");
  }
}

Checked read_sip(FieldReader& top, GatewayConfig& cfg) {
  top.object("sip", [&](FieldReader& f) {
    f.only({"meeting_within_days", "reminder_interval_seconds", "participant_systems", "comment"});
    f.integer("meeting_within_days", cfg.sip.meeting_within_days, 1, 365);
    f.duration<std::chrono::seconds>("reminder_interval_seconds", cfg.sip.reminder_interval, 1, 86400);
    f.objects("participant_systems", [&](FieldReader& s, std::size_t) {
      SipParticipantSystem system;
      read_participant_system(s, cfg.adapters, system);
      cfg.sip.participant_systems.push_back(std::move(system));
    });
  });
  return top.result();
}

Checked read_attendance(FieldReader& top, GatewayConfig& cfg) {
  top.object("attendance", [&](FieldReader& f) {
    f.only({"absence_flag_threshold", "summary_grace_days", "summary_interval_seconds", "comment"});
    f.integer("absence_flag_threshold", cfg.attendance.absence_flag_threshold, 1, 31);
    f.integer("summary_grace_days", cfg.attendance.summary_grace_days, 0, 60);
    f.duration<std::chrono::seconds>("summary_interval_seconds", cfg.attendance.summary_interval, 1, 86400);
  });
  return top.result();
}

void read_webhook(FieldReader& f, const GatewayConfig& cfg, WebhookConfig& w) {
  f.only({"name", "client", "url", "secret", "secret_env", "delivery", "tls", "comment"});
  std::string secret_env;
  f.string("name", w.name, Presence::required);
  f.string("client", w.client, Presence::required);
  f.string("url", w.url, Presence::required);
  f.string("secret", w.secret);
  f.string("secret_env", secret_env);
  const auto named = [&](const auto& other) { return other.name == w.name; };
  if (f.ok() && (std::any_of(cfg.adapters.begin(), cfg.adapters.end(), named) ||
                 std::any_of(cfg.webhooks.begin(), cfg.webhooks.end(), named))) {
    f.fail("name", "duplicate name: adapters and webhooks share one name space");
  }
  // Events carry personal data: only a case system's own webhook may receive them.
  if (f.ok() && std::none_of(cfg.clients.begin(), cfg.clients.end(),
                             [&](const auto& c) { return c.id == w.client && c.roles.contains(kRoleCaseSystem); })) {
    f.fail("client", "must name a client with role case_system listed under /clients");
  }
  if (f.ok() && !net::parse_http_url(w.url)) f.fail("url", "must be an http:// or https:// URL");
  net::read_tls(f, w.url, cfg.base_dir, w.tls);
  // The secret may come from the environment so that config files can be shared safely.
  if (f.ok() && !secret_env.empty()) {
    const char* from_env = std::getenv(secret_env.c_str());
    if (!from_env || !*from_env)
      f.fail("secret_env", "names an environment variable that is not set");
    else
      w.secret = from_env;
  }
  if (f.ok() && w.secret.size() < 16)
    f.fail("secret", "a secret (or secret_env) of at least 16 characters is required");
  w.delivery.name = w.name;
  f.object("delivery", [&](FieldReader& delivery) { read_delivery(delivery, w.delivery); });
}

Checked read_webhooks(FieldReader& top, GatewayConfig& cfg) {
  top.objects("webhooks", [&](FieldReader& f, std::size_t) {
    WebhookConfig w;
    read_webhook(f, cfg, w);
    cfg.webhooks.push_back(std::move(w));
  });
  return top.result();
}

// Names that messages can be routed to: adapters that deliver, and webhooks.
std::set<std::string> destinations(const GatewayConfig& cfg) {
  std::set<std::string> names;
  for (const AdapterConfig& a : cfg.adapters) {
    if (delivers(a)) names.insert(a.name);
  }
  for (const WebhookConfig& w : cfg.webhooks) names.insert(w.name);
  return names;
}

void read_time_limits(FieldReader& f, routing::ReferralTimeLimits& limits) {
  f.only({"not_enrolled_days", "first_visit_days", "plan_followup", "comment"});
  if (f.has("not_enrolled_days")) {
    int days = 0;
    f.integer("not_enrolled_days", days, 1, 365);
    limits.not_enrolled_days = days;
  }
  f.integer("first_visit_days", limits.first_visit_days, 1, 365);
  f.boolean("plan_followup", limits.plan_followup);
}

// A fault in "match" is reported before one in the rule's other fields.
void read_route(FieldReader& f, const std::set<std::string>& destinations, routing::RouteRule& rule,
                routing::ReferralTimeLimits& limits) {
  f.object("match", [&](FieldReader& m) {
    m.only({"types", "clients", "municipalities", "units", "districts"});
    m.strings("types", rule.types);
    m.string_set("clients", rule.clients);
    m.string_set("municipalities", rule.municipalities);
    m.string_set("units", rule.units);
    m.string_set("districts", rule.districts);
  });
  f.only({"name", "match", "to", "time_limits", "comment"});
  f.string("name", rule.name, Presence::required);
  f.strings("to", rule.to, Presence::required);
  if (f.ok() && rule.to.empty()) f.fail("to", "must list at least one destination");
  for (std::size_t k = 0; f.ok() && k < rule.to.size(); ++k) {
    if (!destinations.contains(rule.to[k])) {
      f.fail("to/" + std::to_string(k), "must name an adapter that delivers or a webhook");
    }
  }
  f.object("time_limits", [&](FieldReader& t) { read_time_limits(t, limits); });
}

Checked read_routes(FieldReader& top, GatewayConfig& cfg) {
  const std::set<std::string> names = destinations(cfg);
  top.objects("routes", [&](FieldReader& f, std::size_t) {
    routing::RouteRule rule;
    routing::ReferralTimeLimits limits;
    read_route(f, names, rule, limits);
    cfg.routes.push_back(std::move(rule));
    cfg.route_time_limits.push_back(limits);
  });
  return top.result();
}

}  // namespace

std::expected<GatewayConfig, ConfigError> parse_config(const json& doc, const std::filesystem::path& base_dir) {
  GatewayConfig cfg;
  cfg.base_dir = base_dir;
  if (auto r = require_object(doc, ""); !r) return std::unexpected(r.error());
  FieldReader top(doc, "");
  top.only({"server", "store", "log", "lookup", "purposes", "organisations", "clients", "users", "audit", "console",
            "adapters", "webhooks", "routes", "sip", "attendance", "delivery", "$schema", "comment"});
  if (!top.ok()) return std::unexpected(top.error());
  // Later sections name what earlier ones define: clients and adapters name purposes, grants
  // name adapters, SIP names delivering adapters, webhooks name clients, routes name all of them.
  using Section = Checked (*)(FieldReader&, GatewayConfig&);
  for (const Section read :
       {read_server, read_delivery_section, read_store, read_log, read_lookup, read_purposes, read_organisations,
        read_clients, read_users, read_audit, read_console, read_adapters, check_lookup_grants, check_partner_adapters,
        read_sip, read_attendance, read_webhooks, read_routes}) {
    if (auto r = read(top, cfg); !r) return std::unexpected(r.error());
  }
  return cfg;
}

std::expected<GatewayConfig, ConfigError> load_config(const std::filesystem::path& file) {
  std::ifstream in(file);
  if (!in) return std::unexpected(ConfigError{"", "cannot open config file " + file.string()});
  json doc = json::parse(in, nullptr, /*allow_exceptions=*/false, /*ignore_comments=*/true);
  if (doc.is_discarded()) return std::unexpected(ConfigError{"", "config file is not valid JSON: " + file.string()});
  return parse_config(doc, std::filesystem::absolute(file).parent_path());
}

}  // namespace knutpunkt
