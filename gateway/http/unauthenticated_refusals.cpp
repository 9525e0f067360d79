#include "http/unauthenticated_refusals.h"

#include "core/clock.h"
#include "log/log.h"

namespace knutpunkt::http {

namespace {

nlohmann::json to_json(const std::string& address, std::chrono::sys_seconds minute, std::uint64_t count,
                       std::chrono::system_clock::time_point first, std::chrono::system_clock::time_point last) {
  return {{"remote_address", address},
          {"minute", format_utc(minute)},
          {"count", count},
          {"first_at", format_utc(first)},
          {"last_at", format_utc(last)}};
}

}  // namespace

UnauthenticatedRefusals::UnauthenticatedRefusals(AuditLog& audit, UnauthenticatedConfig config, WallClock clock)
    : audit_(audit), config_(config), clock_(std::move(clock)) {}

void UnauthenticatedRefusals::count(const std::string& address, const std::string& route, unsigned status) {
  const auto now = clock_();
  const Key key{std::chrono::floor<std::chrono::minutes>(now), address};
  Closed early;
  {
    std::lock_guard lock(mutex_);
    auto it = open_.find(key);
    if (it == open_.end()) {
      // At the cap the oldest is appended now rather than dropped or kept growing: memory stays
      // bounded when many addresses refuse at once, and nothing counted goes unrecorded.
      if (open_.size() >= config_.max_addresses && !open_.empty()) {
        early.push_back(std::move(*open_.begin()));
        open_.erase(open_.begin());
      }
      it = open_.emplace(key, Aggregate{now, now, 0, {}, 0}).first;
    }
    Aggregate& a = it->second;
    a.last = now;
    ++a.count;
    const auto route_key = std::make_pair(route, status);
    if (auto r = a.by_route.find(route_key); r != a.by_route.end()) {
      ++r->second;
    } else if (a.by_route.size() < config_.max_routes_per_aggregate) {
      a.by_route.emplace(route_key, 1);
    } else {
      ++a.other_routes;
    }
  }
  if (!early.empty()) append(std::move(early), true);
}

void UnauthenticatedRefusals::flush_closed() {
  const std::chrono::sys_seconds current = std::chrono::floor<std::chrono::minutes>(clock_());
  Closed closed;
  {
    std::lock_guard lock(mutex_);
    while (!open_.empty() && open_.begin()->first.first < current) {
      closed.push_back(std::move(*open_.begin()));
      open_.erase(open_.begin());
    }
  }
  append(std::move(closed), false);
}

void UnauthenticatedRefusals::flush_all() {
  Closed closed;
  {
    std::lock_guard lock(mutex_);
    for (auto& entry : open_) closed.push_back(std::move(entry));
    open_.clear();
  }
  append(std::move(closed), false);
}

std::size_t UnauthenticatedRefusals::open_aggregates() const {
  std::lock_guard lock(mutex_);
  return open_.size();
}

void UnauthenticatedRefusals::append(Closed closed, bool early) {
  for (auto& [key, a] : closed) {
    nlohmann::json body = to_json(key.second, key.first, a.count, a.first, a.last);
    auto& refused = body["refused"] = nlohmann::json::array();
    for (const auto& [route, n] : a.by_route) {
      refused.push_back({{"route", route.first}, {"status", route.second}, {"count", n}});
    }
    if (a.other_routes > 0) body["other_routes_count"] = a.other_routes;
    if (early) body["appended_early"] = true;
    // The log says how many, never from where or what was asked: addresses and targets belong
    // in the audit log only.
    audit_.append(kUnauthenticatedRefusalsKind, std::move(body),
                  [count = a.count](std::expected<AuditReceipt, StoreError> receipt) {
                    if (!receipt) {
                      log::error("http.unauthenticated_refusals_unaudited",
                                 {{"refusals", count}, {"code", receipt.error().code}});
                      return;
                    }
                    log::info("http.unauthenticated_refusals", {{"refusals", count}, {"audit_seq", receipt->seq}});
                  });
  }
}

}  // namespace knutpunkt::http
