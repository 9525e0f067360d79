#include "config/gateway_config.h"

#include <fstream>
#include <algorithm>
#include <cstdlib>
#include <regex>

#include "net/http_client.h"
#include "identity/password_hash.h"
#include "policy/period.h"

namespace knutpunkt {
namespace {

using json = nlohmann::json;

// Reads typed fields from one JSON object and remembers the first error, naming the field.
class FieldReader {
 public:
  FieldReader(const json& object, std::string pointer) : object_(object), pointer_(std::move(pointer)) {}

  bool ok() const { return !error_; }
  const ConfigError& error() const { return *error_; }

  void fail(const std::string& key, std::string message) {
    if (!error_) error_ = ConfigError{pointer_ + "/" + key, std::move(message)};
  }

  void only(std::initializer_list<std::string_view> allowed) {
    for (const auto& [key, _] : object_.items()) {
      if (std::find(allowed.begin(), allowed.end(), key) == allowed.end()) fail(key, "unknown field");
    }
  }

  const json* field(const std::string& key, bool required) {
    const auto it = object_.find(key);
    if (it == object_.end()) {
      if (required) fail(key, "is required");
      return nullptr;
    }
    return &*it;
  }

  void string(const std::string& key, std::string& out, bool required = false, bool non_empty = true) {
    if (const json* v = field(key, required)) {
      if (!v->is_string()) return fail(key, "must be a string");
      if (non_empty && v->get_ref<const std::string&>().empty()) return fail(key, "must not be empty");
      out = v->get<std::string>();
    }
  }

  template <typename Int>
  void integer(const std::string& key, Int& out, long long min, long long max, bool required = false) {
    if (const json* v = field(key, required)) {
      if (!v->is_number_integer()) return fail(key, "must be an integer");
      const auto n = v->get<long long>();
      if (n < min || n > max) {
        return fail(key, "must be between " + std::to_string(min) + " and " + std::to_string(max));
      }
      out = static_cast<Int>(n);
    }
  }

  void millis(const std::string& key, std::chrono::milliseconds& out, long long min, long long max) {
    long long ms = out.count();
    integer(key, ms, min, max);
    out = std::chrono::milliseconds{ms};
  }

  void number(const std::string& key, double& out, double min, double max) {
    if (const json* v = field(key, false)) {
      if (!v->is_number()) return fail(key, "must be a number");
      const double n = v->get<double>();
      if (n < min || n > max) return fail(key, "must be between " + std::to_string(min) + " and " + std::to_string(max));
      out = n;
    }
  }

  void strings(const std::string& key, std::vector<std::string>& out, bool required = false) {
    if (const json* v = field(key, required)) {
      if (!v->is_array()) return fail(key, "must be an array of strings");
      for (std::size_t i = 0; i < v->size(); ++i) {
        if (!(*v)[i].is_string() || (*v)[i].get_ref<const std::string&>().empty()) {
          return fail(key + "/" + std::to_string(i), "must be a non-empty string");
        }
        out.push_back((*v)[i].get<std::string>());
      }
    }
  }

  void string_set(const std::string& key, std::set<std::string>& out) {
    std::vector<std::string> list;
    strings(key, list);
    out.insert(list.begin(), list.end());
  }

  const std::string& pointer() const { return pointer_; }

 private:
  const json& object_;
  std::string pointer_;
  std::optional<ConfigError> error_;
};

std::expected<void, ConfigError> require_object(const json& v, const std::string& pointer) {
  if (!v.is_object()) return std::unexpected(ConfigError{pointer.empty() ? "/" : pointer, "must be an object"});
  return {};
}

// /adapters/*/policy: how exchanges with this partner are bound (policy/exchange_policy.h).
std::expected<void, ConfigError> parse_exchange_policy(const json* value, const std::string& pointer,
                                                       const std::map<std::string, PurposeConfig>& known_purposes,
                                                       policy::ExchangePolicy& out) {
  if (value == nullptr) return {};
  if (auto r = require_object(*value, pointer); !r) return r;
  FieldReader f(*value, pointer);
  f.only({"purposes", "legal_basis", "max_period_months", "comment"});
  std::vector<std::string> purposes;
  f.strings("purposes", purposes);
  for (std::size_t k = 0; f.ok() && k < purposes.size(); ++k) {
    if (!known_purposes.contains(purposes[k])) f.fail("purposes/" + std::to_string(k), "must name a purpose listed under /purposes");
  }
  out.purposes.insert(purposes.begin(), purposes.end());
  std::string basis = "law";
  f.string("legal_basis", basis);
  if (f.ok() && basis != "law" && basis != "consent") f.fail("legal_basis", "must be law or consent");
  out.legal_basis = basis == "consent" ? policy::LegalBasis::consent : policy::LegalBasis::law;
  int months = static_cast<int>(out.max_period.count());
  f.integer("max_period_months", months, 1, policy::kMaxRequestPeriod.count());
  out.max_period = std::chrono::months{months};
  if (!f.ok()) return std::unexpected(f.error());
  return {};
}

// /adapters/*/delivery and /webhooks/*/delivery: how one destination is delivered to.
std::expected<void, ConfigError> parse_delivery(const json* value, const std::string& pointer,
                                                delivery::DestinationSettings& out) {
  if (!value) return {};
  if (auto r = require_object(*value, pointer); !r) return r;
  FieldReader f(*value, pointer);
  f.only({"timeout_ms", "max_in_flight", "retry", "breaker"});
  f.millis("timeout_ms", out.timeout, 100, 600000);
  f.integer("max_in_flight", out.max_in_flight, 1, 256);
  if (const json* retry = f.field("retry", false)) {
    if (auto r = require_object(*retry, pointer + "/retry"); !r) return r;
    FieldReader g(*retry, pointer + "/retry");
    g.only({"max_attempts", "max_age_s", "initial_backoff_ms", "multiplier", "max_backoff_ms", "jitter",
            "max_retry_after_s"});
    auto& p = out.retry;
    g.integer("max_attempts", p.max_attempts, 1, 1000);
    long long age_s = std::chrono::duration_cast<std::chrono::seconds>(p.max_age).count();
    g.integer("max_age_s", age_s, 1, 30LL * 24 * 3600);
    p.max_age = std::chrono::seconds{age_s};
    g.millis("initial_backoff_ms", p.initial_backoff, 1, 3600000);
    g.number("multiplier", p.multiplier, 1.0, 10.0);
    g.millis("max_backoff_ms", p.max_backoff, 1, 24LL * 3600000);
    g.number("jitter", p.jitter, 0.0, 1.0);
    long long ra_s = std::chrono::duration_cast<std::chrono::seconds>(p.max_retry_after).count();
    g.integer("max_retry_after_s", ra_s, 0, 24LL * 3600);
    p.max_retry_after = std::chrono::seconds{ra_s};
    if (g.ok() && p.max_backoff < p.initial_backoff) g.fail("max_backoff_ms", "must not be below initial_backoff_ms");
    if (!g.ok()) return std::unexpected(g.error());
  }
  if (const json* breaker = f.field("breaker", false)) {
    if (auto r = require_object(*breaker, pointer + "/breaker"); !r) return r;
    FieldReader g(*breaker, pointer + "/breaker");
    g.only({"failure_threshold", "open_ms"});
    g.integer("failure_threshold", out.breaker.failure_threshold, 1, 1000);
    g.millis("open_ms", out.breaker.open_for, 10, 3600000);
    if (!g.ok()) return std::unexpected(g.error());
  }
  if (!f.ok()) return std::unexpected(f.error());
  return {};
}

}  // namespace

bool ClientConfig::may(std::string_view operation, std::string_view adapter) const {
  const std::string op(operation);
  if (adapter.empty()) return operations.contains(op);
  return operations.contains(op + ":*") || operations.contains(op + ":" + std::string(adapter));
}

std::expected<GatewayConfig, ConfigError> parse_config(const json& doc, const std::filesystem::path& base_dir) {
  GatewayConfig cfg;
  cfg.base_dir = base_dir;
  if (auto r = require_object(doc, ""); !r) return std::unexpected(r.error());
  FieldReader top(doc, "");
  top.only({"server", "store", "log", "lookup", "purposes", "clients", "users", "audit", "console", "adapters", "webhooks", "routes", "sip", "$schema",
            "comment"});
  if (!top.ok()) return std::unexpected(top.error());

  if (const json* server = top.field("server", true)) {
    if (auto r = require_object(*server, "/server"); !r) return std::unexpected(r.error());
    FieldReader f(*server, "/server");
    f.only({"host", "port", "threads", "max_body_bytes", "request_timeout_ms"});
    f.string("host", cfg.server.host);
    f.integer("port", cfg.server.port, 0, 65535);
    f.integer("threads", cfg.server.threads, 1, 64);
    f.integer("max_body_bytes", cfg.server.max_body_bytes, 1024, 16 * 1024 * 1024);
    f.millis("request_timeout_ms", cfg.server.request_timeout, 100, 600000);
    if (!f.ok()) return std::unexpected(f.error());
  } else {
    return std::unexpected(top.error());
  }

  if (const json* store = top.field("store", true)) {
    if (auto r = require_object(*store, "/store"); !r) return std::unexpected(r.error());
    FieldReader f(*store, "/store");
    f.only({"kind", "path"});
    std::string path;
    f.string("kind", cfg.store.kind, true);
    f.string("path", path, true);
    if (f.ok() && cfg.store.kind != "sqlite") f.fail("kind", "unsupported store kind (supported: sqlite)");
    if (!f.ok()) return std::unexpected(f.error());
    cfg.store.path = std::filesystem::path(path).is_absolute() ? std::filesystem::path(path) : base_dir / path;
  } else {
    return std::unexpected(top.error());
  }

  if (const json* log = top.field("log", false)) {
    if (auto r = require_object(*log, "/log"); !r) return std::unexpected(r.error());
    FieldReader f(*log, "/log");
    f.only({"level", "file"});
    std::string file;
    f.string("level", cfg.log.level);
    f.string("file", file, false, false);
    if (f.ok() && cfg.log.level != "debug" && cfg.log.level != "info" && cfg.log.level != "warn" &&
        cfg.log.level != "error") {
      f.fail("level", "must be one of debug, info, warn, error");
    }
    if (!f.ok()) return std::unexpected(f.error());
    if (!file.empty()) cfg.log.file = std::filesystem::path(file).is_absolute() ? std::filesystem::path(file) : base_dir / file;
  }

  if (const json* lookup = top.field("lookup", false)) {
    if (auto r = require_object(*lookup, "/lookup"); !r) return std::unexpected(r.error());
    FieldReader f(*lookup, "/lookup");
    f.only({"deadline_ms"});
    f.millis("deadline_ms", cfg.lookup_deadline, 100, 120000);
    if (!f.ok()) return std::unexpected(f.error());
  }

  if (const json* purposes = top.field("purposes", true)) {
    if (auto r = require_object(*purposes, "/purposes"); !r) return std::unexpected(r.error());
    for (const auto& [code, value] : purposes->items()) {
      const std::string pointer = "/purposes/" + code;
      if (auto r = require_object(value, pointer); !r) return std::unexpected(r.error());
      FieldReader f(value, pointer);
      f.only({"description"});
      PurposeConfig p{code, {}};
      f.string("description", p.description, true);
      if (!f.ok()) return std::unexpected(f.error());
      cfg.purposes.emplace(code, std::move(p));
    }
    if (cfg.purposes.empty()) return std::unexpected(ConfigError{"/purposes", "must list at least one purpose"});
  } else {
    return std::unexpected(top.error());
  }

  if (const json* clients = top.field("clients", true)) {
    if (!clients->is_array()) return std::unexpected(ConfigError{"/clients", "must be an array"});
    static const std::regex hex64("[0-9a-f]{64}");
    std::set<std::string> ids;
    for (std::size_t i = 0; i < clients->size(); ++i) {
      const std::string pointer = "/clients/" + std::to_string(i);
      const json& value = (*clients)[i];
      if (auto r = require_object(value, pointer); !r) return std::unexpected(r.error());
      FieldReader f(value, pointer);
      f.only({"id", "token_sha256", "purposes", "roles", "operations", "partner_adapter", "comment"});
      ClientConfig c;
      if (f.field("roles", false)) {
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
      f.string("partner_adapter", c.partner_adapter);
      if (f.ok() && c.roles.contains(kRolePartner) && c.partner_adapter.empty()) {
        f.fail("partner_adapter", "is required for a client with role partner");
      }
      f.string("id", c.id, true);
      f.string("token_sha256", c.token_sha256, true);
      if (f.ok() && !std::regex_match(c.token_sha256, hex64)) {
        f.fail("token_sha256", "must be 64 lower-case hex digits (SHA-256 of the token)");
      }
      if (f.ok() && !ids.insert(c.id).second) f.fail("id", "duplicate client id");
      if (const json* ps = f.field("purposes", true)) {
        if (!ps->is_array()) {
          f.fail("purposes", "must be an array of purpose codes");
        } else {
          for (std::size_t k = 0; k < ps->size(); ++k) {
            const json& p = (*ps)[k];
            if (!p.is_string() || !cfg.purposes.contains(p.get<std::string>())) {
              f.fail("purposes/" + std::to_string(k), "must name a purpose listed under /purposes");
              break;
            }
            c.purposes.insert(p.get<std::string>());
          }
        }
      }
      // Least privilege: a case system is granted its operations one by one, never by default.
      if (f.ok() && c.roles.contains(kRoleCaseSystem)) f.field("operations", true);
      static const std::regex operation_re("(lookup:(\\*|[a-z][a-z0-9_-]{0,31})|referral|atersokning|sip)");
      std::vector<std::string> operations;
      f.strings("operations", operations);
      for (std::size_t k = 0; f.ok() && k < operations.size(); ++k) {
        if (!std::regex_match(operations[k], operation_re)) {
          f.fail("operations/" + std::to_string(k), "operations are lookup:<adapter>, lookup:*, referral, atersokning and sip");
        }
      }
      if (f.ok() && !operations.empty() && !c.roles.contains(kRoleCaseSystem)) {
        f.fail("operations", "only a client with role case_system is granted operations");
      }
      c.operations.insert(operations.begin(), operations.end());
      if (!f.ok()) return std::unexpected(f.error());
      cfg.clients.push_back(std::move(c));
    }
  } else {
    return std::unexpected(top.error());
  }

  if (const json* users = top.field("users", false)) {
    if (!users->is_array()) return std::unexpected(ConfigError{"/users", "must be an array"});
    static const std::regex user_id("[a-z][a-z0-9._-]{0,63}");
    std::set<std::string> ids;
    for (std::size_t i = 0; i < users->size(); ++i) {
      const std::string pointer = "/users/" + std::to_string(i);
      const json& value = (*users)[i];
      if (auto r = require_object(value, pointer); !r) return std::unexpected(r.error());
      FieldReader f(value, pointer);
      f.only({"id", "name", "roles", "password_hash", "comment"});
      UserConfig u;
      f.string("id", u.id, true);
      if (f.ok() && !std::regex_match(u.id, user_id)) f.fail("id", "must match [a-z][a-z0-9._-]{0,63}");
      if (f.ok() && !ids.insert(u.id).second) f.fail("id", "duplicate user id");
      f.string("name", u.name, true);
      std::vector<std::string> roles;
      f.strings("roles", roles, true);
      for (const std::string& role : roles) {
        if (role != kRoleAuditor && role != kRoleOperator && role != kRoleAdmin) f.fail("roles", "roles are auditor, operator and admin");
      }
      if (f.ok() && roles.empty()) f.fail("roles", "must list at least one role");
      u.roles.insert(roles.begin(), roles.end());
      f.string("password_hash", u.password_hash, true);
      if (f.ok() && !identity::is_password_hash(u.password_hash)) {
        f.fail("password_hash", "must be pbkdf2-sha256$<iterations>$<salt hex>$<hash hex> (knutpunkt user hash-password)");
      }
      if (!f.ok()) return std::unexpected(f.error());
      cfg.users.push_back(std::move(u));
    }
  }

  if (const json* audit = top.field("audit", false)) {
    if (auto r = require_object(*audit, "/audit"); !r) return std::unexpected(r.error());
    FieldReader f(*audit, "/audit");
    f.only({"signing_key", "export_dir", "instance_id", "retention_days", "comment"});
    std::string key, dir;
    f.string("signing_key", key);
    f.string("export_dir", dir);
    f.string("instance_id", cfg.audit.instance_id);
    f.integer("retention_days", cfg.audit.retention_days, 0, 36500);
    if (f.ok() && cfg.audit.retention_days > 0 && key.empty()) {
      f.fail("retention_days", "needs signing_key: every retention checkpoint is signed");
    }
    if (!f.ok()) return std::unexpected(f.error());
    const auto resolve = [&](const std::string& path) {
      return path.empty() || std::filesystem::path(path).is_absolute() ? std::filesystem::path(path) : base_dir / path;
    };
    cfg.audit.signing_key = resolve(key);
    cfg.audit.export_dir = resolve(dir);
  }

  if (const json* console = top.field("console", false)) {
    if (auto r = require_object(*console, "/console"); !r) return std::unexpected(r.error());
    FieldReader f(*console, "/console");
    f.only({"static_dir", "comment"});
    std::string dir;
    f.string("static_dir", dir, true);
    if (!f.ok()) return std::unexpected(f.error());
    cfg.console_dir = std::filesystem::path(dir).is_absolute() ? std::filesystem::path(dir) : base_dir / dir;
  }

  if (const json* adapters = top.field("adapters", true)) {
    if (!adapters->is_array()) return std::unexpected(ConfigError{"/adapters", "must be an array"});
    static const std::regex name_re("[a-z][a-z0-9_-]{0,31}");
    std::set<std::string> names;
    for (std::size_t i = 0; i < adapters->size(); ++i) {
      const std::string pointer = "/adapters/" + std::to_string(i);
      const json& value = (*adapters)[i];
      if (auto r = require_object(value, pointer); !r) return std::unexpected(r.error());
      FieldReader f(value, pointer);
      f.only({"name", "kind", "config", "delivery", "policy"});
      AdapterConfig a;
      a.pointer = pointer + "/config";
      f.string("name", a.name, true);
      f.string("kind", a.kind, true);
      if (f.ok() && !std::regex_match(a.name, name_re)) f.fail("name", "must match [a-z][a-z0-9_-]{0,31}");
      if (f.ok() && !names.insert(a.name).second) f.fail("name", "duplicate adapter name");
      const auto& registry = AdapterRegistry::instance();
      if (f.ok() && registry.find(a.kind) == nullptr && registry.find_outbound(a.kind) == nullptr &&
          registry.find_inbound(a.kind) == nullptr) {
        f.fail("kind", "no adapter of this kind is built in");
      }
      if (const json* c = f.field("config", true)) a.config = *c;
      a.delivery.name = a.name;
      const json* delivery = f.field("delivery", false);
      if (f.ok() && delivery && registry.find_outbound(a.kind) == nullptr) {
        f.fail("delivery", "this adapter kind delivers nothing");
      }
      if (!f.ok()) return std::unexpected(f.error());
      if (auto r = parse_delivery(delivery, pointer + "/delivery", a.delivery); !r) return std::unexpected(r.error());
      if (auto r = parse_exchange_policy(f.field("policy", false), pointer + "/policy", cfg.purposes, a.policy); !r) {
        return std::unexpected(r.error());
      }
      cfg.adapters.push_back(std::move(a));
    }
  } else {
    return std::unexpected(top.error());
  }

  // Names that messages can be routed to: adapters that deliver, and webhooks.
  std::set<std::string> destinations;
  for (const AdapterConfig& a : cfg.adapters) {
    if (AdapterRegistry::instance().find_outbound(a.kind)) destinations.insert(a.name);
  }
  // Granted lookups must name adapters that answer lookups: a typo would otherwise fail closed
  // at run time, silently.
  for (std::size_t i = 0; i < cfg.clients.size(); ++i) {
    for (const std::string& operation : cfg.clients[i].operations) {
      const std::string prefix = std::string(kOperationLookup) + ":";
      if (operation.starts_with(prefix) && operation != prefix + "*") {
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
  }
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

  if (const json* sip = top.field("sip", false)) {
    if (auto r = require_object(*sip, "/sip"); !r) return std::unexpected(r.error());
    FieldReader f(*sip, "/sip");
    f.only({"meeting_within_days", "reminder_interval_seconds", "participant_systems", "comment"});
    f.integer("meeting_within_days", cfg.sip.meeting_within_days, 1, 365);
    long long interval = cfg.sip.reminder_interval.count();
    f.integer("reminder_interval_seconds", interval, 1, 86400);
    cfg.sip.reminder_interval = std::chrono::seconds{interval};
    if (!f.ok()) return std::unexpected(f.error());
    if (const json* systems = f.field("participant_systems", false)) {
      if (!systems->is_array()) return std::unexpected(ConfigError{"/sip/participant_systems", "must be an array"});
      static const std::regex organisation_re("[a-z0-9][a-z0-9-]{0,63}(/[a-z0-9][a-z0-9-]{0,63}){0,3}/?");
      for (std::size_t i = 0; i < systems->size(); ++i) {
        const std::string pointer = "/sip/participant_systems/" + std::to_string(i);
        if (auto r = require_object((*systems)[i], pointer); !r) return std::unexpected(r.error());
        FieldReader s((*systems)[i], pointer);
        s.only({"organisation", "adapter", "comment"});
        SipParticipantSystem system;
        s.string("organisation", system.organisation, true);
        s.string("adapter", system.adapter, true);
        if (s.ok() && !std::regex_match(system.organisation, organisation_re)) {
          s.fail("organisation", "must be an organisation id, or a prefix of them ending in /");
        }
        // A plan goes to a participant only through an adapter that delivers SIP messages.
        if (s.ok() && !destinations.contains(system.adapter)) s.fail("adapter", "must name a configured adapter that delivers");
        if (!s.ok()) return std::unexpected(s.error());
        cfg.sip.participant_systems.push_back(std::move(system));
      }
    }
  }

  if (const json* webhooks = top.field("webhooks", false)) {
    if (!webhooks->is_array()) return std::unexpected(ConfigError{"/webhooks", "must be an array"});
    for (std::size_t i = 0; i < webhooks->size(); ++i) {
      const std::string pointer = "/webhooks/" + std::to_string(i);
      const json& value = (*webhooks)[i];
      if (auto r = require_object(value, pointer); !r) return std::unexpected(r.error());
      FieldReader f(value, pointer);
      f.only({"name", "client", "url", "secret", "secret_env", "delivery", "comment"});
      WebhookConfig w;
      std::string secret_env;
      f.string("name", w.name, true);
      f.string("client", w.client, true);
      f.string("url", w.url, true);
      f.string("secret", w.secret);
      f.string("secret_env", secret_env);
      if (f.ok() && (!destinations.insert(w.name).second ||
                     std::any_of(cfg.adapters.begin(), cfg.adapters.end(), [&](const auto& a) { return a.name == w.name; }))) {
        f.fail("name", "duplicate name: adapters and webhooks share one name space");
      }
      // Events carry personal data: only a case system's own webhook may receive them.
      if (f.ok() && std::none_of(cfg.clients.begin(), cfg.clients.end(), [&](const auto& c) {
            return c.id == w.client && c.roles.contains(kRoleCaseSystem);
          })) {
        f.fail("client", "must name a client with role case_system listed under /clients");
      }
      if (f.ok() && !net::parse_http_url(w.url)) f.fail("url", "must be an http:// URL");
      // The secret may come from the environment so that config files can be shared safely.
      if (f.ok() && !secret_env.empty()) {
        const char* from_env = std::getenv(secret_env.c_str());
        if (!from_env || !*from_env) f.fail("secret_env", "names an environment variable that is not set");
        else w.secret = from_env;
      }
      if (f.ok() && w.secret.size() < 16) f.fail("secret", "a secret (or secret_env) of at least 16 characters is required");
      w.delivery.name = w.name;
      if (!f.ok()) return std::unexpected(f.error());
      if (auto r = parse_delivery(f.field("delivery", false), pointer + "/delivery", w.delivery); !r) {
        return std::unexpected(r.error());
      }
      cfg.webhooks.push_back(std::move(w));
    }
  }

  if (const json* routes = top.field("routes", false)) {
    if (!routes->is_array()) return std::unexpected(ConfigError{"/routes", "must be an array"});
    for (std::size_t i = 0; i < routes->size(); ++i) {
      const std::string pointer = "/routes/" + std::to_string(i);
      const json& value = (*routes)[i];
      if (auto r = require_object(value, pointer); !r) return std::unexpected(r.error());
      FieldReader f(value, pointer);
      f.only({"name", "match", "to", "comment"});
      routing::RouteRule rule;
      f.string("name", rule.name, true);
      f.strings("to", rule.to, true);
      if (f.ok() && rule.to.empty()) f.fail("to", "must list at least one destination");
      for (std::size_t k = 0; f.ok() && k < rule.to.size(); ++k) {
        if (!destinations.contains(rule.to[k])) {
          f.fail("to/" + std::to_string(k), "must name an adapter that delivers or a webhook");
        }
      }
      if (const json* match = f.field("match", false)) {
        if (auto r = require_object(*match, pointer + "/match"); !r) return std::unexpected(r.error());
        FieldReader m(*match, pointer + "/match");
        m.only({"types", "clients", "municipalities", "units", "districts"});
        m.strings("types", rule.types);
        m.string_set("clients", rule.clients);
        m.string_set("municipalities", rule.municipalities);
        m.string_set("units", rule.units);
        m.string_set("districts", rule.districts);
        if (!m.ok()) return std::unexpected(m.error());
      }
      if (!f.ok()) return std::unexpected(f.error());
      cfg.routes.push_back(std::move(rule));
    }
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
