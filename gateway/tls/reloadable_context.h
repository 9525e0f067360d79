#pragma once
// A TLS context that is rebuilt from its files while connections use it, so certificates rotate
// without a restart: a new connection takes the context current at its start, a running one keeps
// the one it started with (each holds a shared_ptr to it). A rebuild that fails keeps the current
// context and says why: a half-written certificate file must not take the gateway off the air.
#include <boost/asio/ssl/context.hpp>
#include <chrono>
#include <expected>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

namespace knutpunkt::tls {

class ReloadableContext {
 public:
  using Context = std::shared_ptr<boost::asio::ssl::context>;
  using Build = std::function<std::expected<Context, std::string>()>;

  // `name` labels the context in metrics and logs ("server", a destination's name). The expiry is
  // the earliest notAfter in `certificate_chain` (empty: a context with no certificate of its own).
  static std::expected<std::shared_ptr<ReloadableContext>, std::string> create(std::string name, Build build,
                                                                               std::string certificate_chain);

  Context current() const;
  std::expected<void, std::string> reload();

  const std::string& name() const { return name_; }
  // As of the last successful (re)load; nullopt without a certificate of its own.
  std::optional<std::chrono::system_clock::time_point> not_after() const;

 private:
  ReloadableContext(std::string name, Build build, std::string certificate_chain);
  std::expected<void, std::string> load();

  const std::string name_;
  const Build build_;
  const std::string certificate_chain_;
  mutable std::mutex mutex_;
  Context current_;
  std::optional<std::chrono::system_clock::time_point> not_after_;
};

// Every reloadable context of the process, so one signal reloads them all and one metric lists them.
class ContextRegistry {
 public:
  void add(std::shared_ptr<ReloadableContext> context);

  struct ReloadFailure {
    std::string name;
    std::string reason;
  };
  // Reloads each; the ones that failed (and kept their previous context).
  std::vector<ReloadFailure> reload_all();

  struct Expiry {
    std::string name;
    std::chrono::system_clock::time_point not_after;
  };
  std::vector<Expiry> expiries() const;

 private:
  mutable std::mutex mutex_;
  std::vector<std::shared_ptr<ReloadableContext>> contexts_;
};

}  // namespace knutpunkt::tls
