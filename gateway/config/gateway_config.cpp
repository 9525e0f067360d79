#include "config/gateway_config.h"

#include <fstream>
#include <regex>

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

}  // namespace

std::expected<GatewayConfig, ConfigError> parse_config(const json& doc, const std::filesystem::path& base_dir) {
  GatewayConfig cfg;
  cfg.base_dir = base_dir;
  if (auto r = require_object(doc, ""); !r) return std::unexpected(r.error());
  FieldReader top(doc, "");
  top.only({"server", "store", "log", "lookup", "purposes", "clients", "adapters", "$schema", "comment"});
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
      f.only({"id", "token_sha256", "purposes", "comment"});
      ClientConfig c;
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
      if (!f.ok()) return std::unexpected(f.error());
      cfg.clients.push_back(std::move(c));
    }
  } else {
    return std::unexpected(top.error());
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
      f.only({"name", "kind", "config"});
      AdapterConfig a;
      a.pointer = pointer + "/config";
      f.string("name", a.name, true);
      f.string("kind", a.kind, true);
      if (f.ok() && !std::regex_match(a.name, name_re)) f.fail("name", "must match [a-z][a-z0-9_-]{0,31}");
      if (f.ok() && !names.insert(a.name).second) f.fail("name", "duplicate adapter name");
      if (f.ok() && AdapterRegistry::instance().find(a.kind) == nullptr) f.fail("kind", "no adapter of this kind is built in");
      if (const json* c = f.field("config", true)) a.config = *c;
      if (!f.ok()) return std::unexpected(f.error());
      cfg.adapters.push_back(std::move(a));
    }
  } else {
    return std::unexpected(top.error());
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
