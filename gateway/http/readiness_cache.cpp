#include "http/readiness_cache.h"

namespace knutpunkt::http {

ReadinessCache::ReadinessCache(std::chrono::milliseconds fresh_for, Clock clock)
    : fresh_for_(fresh_for), clock_(std::move(clock)) {}

void ReadinessCache::check(const std::string& name, const Probe& probe, Answer done) {
  std::optional<Readiness> fresh;
  {
    std::lock_guard lock(mutex_);
    Entry& entry = entries_[name];
    if (entry.running) {
      entry.waiting.push_back(std::move(done));
      return;
    }
    if (entry.answer && clock_() - entry.answered_at < fresh_for_) {
      fresh = entry.answer;
    } else {
      entry.running = true;
      entry.waiting.push_back(std::move(done));
    }
  }
  // Answers and probes run outside the lock: either may call back into the cache at once.
  if (fresh) return done(std::move(*fresh));
  probe([this, name](Readiness readiness) { answered(name, std::move(readiness)); });
}

void ReadinessCache::answered(const std::string& name, Readiness readiness) {
  std::vector<Answer> waiting;
  {
    std::lock_guard lock(mutex_);
    Entry& entry = entries_[name];
    entry.answer = readiness;
    entry.answered_at = clock_();
    entry.running = false;
    waiting.swap(entry.waiting);
  }
  for (auto& done : waiting) done(readiness);
}

}  // namespace knutpunkt::http
