#pragma once
// The last answer of each readiness check. A background job refreshes the checks (one probe per
// check at a time: a refresh while one runs joins it), and /readyz only reads what they last
// said, so no caller can make the gateway probe a partner, however often it asks.
#include <chrono>
#include <functional>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "core/adapter.h"

namespace knutpunkt::http {

class ReadinessCache {
 public:
  using Clock = std::function<std::chrono::steady_clock::time_point()>;
  using Answer = std::function<void(Readiness)>;
  // Runs the check and answers exactly once, from any thread.
  using Probe = std::function<void(Answer)>;

  struct Checked {
    Readiness readiness;
    std::chrono::steady_clock::time_point at;  // when the probe answered
  };
  using Read = std::function<void(std::optional<Checked>)>;

  explicit ReadinessCache(Clock clock = &std::chrono::steady_clock::now);

  // Probes check `name` with `probe` unless a probe of it is running; `done` has the answer of
  // the probe that ran or was joined.
  void refresh(const std::string& name, const Probe& probe, Answer done);

  // `done` has the last answer of check `name`, or, before its first one, the answer of the probe
  // under way; nullopt when it has never been probed. Never starts a probe.
  void read(const std::string& name, Read done);

 private:
  struct Entry {
    std::optional<Checked> last;
    bool running = false;
    std::vector<Answer> refreshing;
    std::vector<Read> reading;
  };
  void answered(const std::string& name, Readiness readiness);

  Clock clock_;
  std::mutex mutex_;
  std::map<std::string, Entry> entries_;
};

// What /readyz says of one check: its last answer and how old it is ("age_ms"). It is not ready
// when it has no answer yet, or when its answer is older than `stale_after`: the refresh that
// should have replaced it is stuck, and what it said may no longer hold.
nlohmann::json describe_check(const std::optional<ReadinessCache::Checked>& last,
                              std::chrono::steady_clock::time_point now, std::chrono::milliseconds stale_after);

}  // namespace knutpunkt::http
