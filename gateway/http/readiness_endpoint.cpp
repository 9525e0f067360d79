#include "http/readiness_endpoint.h"

#include <atomic>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <memory>
#include <mutex>

#include "core/clock.h"
#include "http/problem.h"
#include "lookup/contract_retirement.h"

namespace knutpunkt::http {

namespace {

// The store's check is named "store"; an adapter of that name gets its own entry.
std::string adapter_check(const std::string& name) {
  return "adapter:" + name;
}

nlohmann::json warnings_for(const LookupService& lookups) {
  nlohmann::json warnings = nlohmann::json::array();
  for (const auto& retiring : retiring_contracts(lookups.contract_versions(), std::chrono::sys_days(today_utc()))) {
    warnings.push_back({{"code", "contract_retiring"},
                        {"adapter", retiring.adapter},
                        {"source", retiring.contract.source},
                        {"contract", retiring.contract.name},
                        {"version", retiring.contract.version},
                        {"retires_on", retiring.contract.retires_on},
                        {"days_left", retiring.days_left},
                        {"detail", describe(retiring)}});
  }
  return warnings;
}

}  // namespace

ReadinessEndpoint::ReadinessEndpoint(boost::asio::io_context& io, Store& store, LookupService& lookups,
                                     std::chrono::milliseconds refresh_every, TransportStatus transport,
                                     std::chrono::milliseconds deadline, ReadinessCache::Clock clock)
    : io_(io),
      store_(store),
      lookups_(lookups),
      deadline_(deadline),
      // A round may be skipped while the one before runs (up to its deadline), and the next then
      // takes up to its deadline too.
      stale_after_(3 * refresh_every + 2 * deadline),
      clock_(clock),
      cache_(std::move(clock)),
      transport_(transport) {}

void ReadinessEndpoint::refresh(std::function<void()> done) {
  const auto names = lookups_.adapter_names();
  auto pending = std::make_shared<std::atomic<std::size_t>>(names.size() + 1);
  auto answered = [pending, done = std::move(done)](Readiness) {
    if (--*pending == 0) done();
  };
  // The store ping touches the disk: run it off the calling thread.
  cache_.refresh(
      "store",
      [this](ReadinessCache::Answer answer) {
        boost::asio::post(io_, [this, answer = std::move(answer)] {
          auto ping = store_.ping();
          answer(Readiness{ping.has_value(), ping ? std::string{} : ping.error().code});
        });
      },
      answered);
  for (const auto& name : names) {
    cache_.refresh(
        adapter_check(name),
        [this, name](ReadinessCache::Answer answer) {
          lookups_.adapter(name)->check_ready(std::chrono::steady_clock::now() + deadline_, std::move(answer));
        },
        answered);
  }
}

void ReadinessEndpoint::handle(Reply reply) {
  struct Gathering {
    std::mutex mutex;
    nlohmann::json checks = nlohmann::json::object();
    nlohmann::json warnings;
    std::string transport;
    bool ready = true;
    std::int64_t oldest_ms = -1;
    std::size_t pending = 0;
    Reply reply;
  };
  auto gathering = std::make_shared<Gathering>();
  gathering->reply = std::move(reply);
  gathering->warnings = warnings_for(lookups_);
  for (auto& warning : transport_warnings(transport_, std::chrono::system_clock::now())) {
    gathering->warnings.push_back(std::move(warning));
  }
  gathering->transport = transport_.plain_http ? "plain_http" : "tls";
  const auto names = lookups_.adapter_names();
  gathering->pending = names.size() + 1;

  auto record = [this, gathering](const std::string& name, const std::optional<ReadinessCache::Checked>& last) {
    nlohmann::json check = describe_check(last, clock_(), stale_after_);
    bool done = false;
    {
      std::lock_guard lock(gathering->mutex);
      gathering->ready = gathering->ready && check["ready"].get<bool>();
      if (check.contains("age_ms")) {
        gathering->oldest_ms = std::max(gathering->oldest_ms, check["age_ms"].get<std::int64_t>());
      }
      gathering->checks[name] = std::move(check);
      done = --gathering->pending == 0;
    }
    if (!done) return;
    nlohmann::json body = {{"status", gathering->ready ? "ready" : "not_ready"},
                           {"transport", gathering->transport},
                           {"checks", gathering->checks}};
    // How old the oldest check is: the answer is as fresh as that, not fresher.
    if (gathering->oldest_ms >= 0) body["age_ms"] = gathering->oldest_ms;
    // Warnings do not make the gateway unready: it works until the partner acts on them.
    if (!gathering->warnings.empty()) body["warnings"] = gathering->warnings;
    gathering->reply(make_json_response(gathering->ready ? 200 : 503, body));
  };
  cache_.read("store", [record](std::optional<ReadinessCache::Checked> last) { record("store", last); });
  for (const auto& name : names) {
    cache_.read(adapter_check(name),
                [record, name](std::optional<ReadinessCache::Checked> last) { record(name, last); });
  }
}

}  // namespace knutpunkt::http
