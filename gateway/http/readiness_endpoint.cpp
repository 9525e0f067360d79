#include "http/readiness_endpoint.h"

#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <mutex>

#include "core/clock.h"
#include "http/problem.h"
#include "lookup/contract_retirement.h"

namespace knutpunkt::http {

ReadinessEndpoint::ReadinessEndpoint(boost::asio::io_context& io, Store& store, LookupService& lookups,
                                     std::chrono::milliseconds cache_for, TransportStatus transport,
                                     std::chrono::milliseconds deadline)
    : io_(io), store_(store), lookups_(lookups), deadline_(deadline), cache_(cache_for), transport_(transport) {}

void ReadinessEndpoint::handle(Reply reply) {
  struct Gathering {
    std::mutex mutex;
    nlohmann::json checks = nlohmann::json::object();
    nlohmann::json warnings = nlohmann::json::array();
    bool ready = true;
    std::string transport;
    std::size_t pending = 0;
    Reply reply;
  };
  auto gathering = std::make_shared<Gathering>();
  gathering->reply = std::move(reply);
  gathering->transport = transport_.plain_http ? "plain_http" : "tls";
  gathering->warnings = transport_warnings(transport_, std::chrono::system_clock::now());
  for (const auto& retiring : retiring_contracts(lookups_.contract_versions(), std::chrono::sys_days(today_utc()))) {
    gathering->warnings.push_back({{"code", "contract_retiring"},
                                   {"adapter", retiring.adapter},
                                   {"source", retiring.contract.source},
                                   {"contract", retiring.contract.name},
                                   {"version", retiring.contract.version},
                                   {"retires_on", retiring.contract.retires_on},
                                   {"days_left", retiring.days_left},
                                   {"detail", describe(retiring)}});
  }
  const auto names = lookups_.adapter_names();
  gathering->pending = names.size() + 1;

  auto record = [gathering](const std::string& name, bool ready, const std::string& detail) {
    bool last = false;
    {
      std::lock_guard lock(gathering->mutex);
      nlohmann::json check = {{"ready", ready}};
      if (!detail.empty()) check["detail"] = detail;
      gathering->checks[name] = std::move(check);
      gathering->ready = gathering->ready && ready;
      last = --gathering->pending == 0;
    }
    if (last) {
      nlohmann::json body = {{"status", gathering->ready ? "ready" : "not_ready"},
                             {"transport", gathering->transport},
                             {"checks", gathering->checks}};
      // Warnings do not make the gateway unready: it works until the partner acts on them.
      if (!gathering->warnings.empty()) body["warnings"] = gathering->warnings;
      gathering->reply(make_json_response(gathering->ready ? 200 : 503, body));
    }
  };

  // The store ping touches the disk: run it off the calling (event-loop) thread.
  cache_.check(
      "store",
      [this](ReadinessCache::Answer answer) {
        boost::asio::post(io_, [this, answer = std::move(answer)] {
          auto ping = store_.ping();
          answer(Readiness{ping.has_value(), ping ? std::string{} : ping.error().code});
        });
      },
      [record](Readiness readiness) { record("store", readiness.ready, readiness.detail); });
  for (const auto& name : names) {
    // The store's check is named "store"; an adapter of that name gets its own entry.
    cache_.check(
        "adapter:" + name,
        [this, name](ReadinessCache::Answer answer) {
          lookups_.adapter(name)->check_ready(std::chrono::steady_clock::now() + deadline_, std::move(answer));
        },
        [record, name](Readiness readiness) { record(name, readiness.ready, readiness.detail); });
  }
}

}  // namespace knutpunkt::http
