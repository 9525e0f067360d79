#include "http/readiness_cache.h"

namespace knutpunkt::http {

ReadinessCache::ReadinessCache(Clock clock) : clock_(std::move(clock)) {}

void ReadinessCache::refresh(const std::string& name, const Probe& probe, Answer done) {
  {
    std::lock_guard lock(mutex_);
    Entry& entry = entries_[name];
    entry.refreshing.push_back(std::move(done));
    if (entry.running) return;
    entry.running = true;
  }
  // Probes and answers run outside the lock: either may call back into the cache at once.
  probe([this, name](Readiness readiness) { answered(name, std::move(readiness)); });
}

void ReadinessCache::read(const std::string& name, Read done) {
  std::optional<Checked> last;
  {
    std::lock_guard lock(mutex_);
    auto entry = entries_.find(name);
    if (entry != entries_.end()) {
      if (!entry->second.last && entry->second.running) {
        entry->second.reading.push_back(std::move(done));
        return;
      }
      last = entry->second.last;
    }
  }
  done(std::move(last));
}

void ReadinessCache::answered(const std::string& name, Readiness readiness) {
  std::vector<Answer> refreshing;
  std::vector<Read> reading;
  Checked checked{std::move(readiness), clock_()};
  {
    std::lock_guard lock(mutex_);
    Entry& entry = entries_[name];
    entry.last = checked;
    entry.running = false;
    refreshing.swap(entry.refreshing);
    reading.swap(entry.reading);
  }
  for (auto& done : refreshing) done(checked.readiness);
  for (auto& done : reading) done(checked);
}

nlohmann::json describe_check(const std::optional<ReadinessCache::Checked>& last,
                              std::chrono::steady_clock::time_point now, std::chrono::milliseconds stale_after) {
  if (!last) return {{"ready", false}, {"detail", "not checked yet"}};
  const auto age = std::chrono::duration_cast<std::chrono::milliseconds>(now - last->at);
  nlohmann::json check = {{"ready", last->readiness.ready}, {"age_ms", std::max<std::int64_t>(age.count(), 0)}};
  if (age > stale_after) {
    check["ready"] = false;
    check["detail"] = "no check for over " + std::to_string(stale_after.count()) + " ms";
  } else if (!last->readiness.detail.empty()) {
    check["detail"] = last->readiness.detail;
  }
  return check;
}

}  // namespace knutpunkt::http
