#pragma once
// One readiness check's answer, shared by every /readyz caller for a short interval and by every
// caller while the check runs: a caller cannot make the gateway probe a partner at will (fifty
// calls are at most one ping per partner per interval).
#include <chrono>
#include <functional>
#include <map>
#include <mutex>
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

  // `fresh_for` of zero reuses nothing, though callers during a running check still share it.
  explicit ReadinessCache(std::chrono::milliseconds fresh_for, Clock clock = &std::chrono::steady_clock::now);

  // Answers `done` with the answer to check `name` when it is younger than `fresh_for`; otherwise
  // joins the check of `name` in flight, or starts one with `probe`.
  void check(const std::string& name, const Probe& probe, Answer done);

 private:
  struct Entry {
    std::optional<Readiness> answer;
    std::chrono::steady_clock::time_point answered_at;
    bool running = false;
    std::vector<Answer> waiting;
  };
  void answered(const std::string& name, Readiness readiness);

  std::chrono::milliseconds fresh_for_;
  Clock clock_;
  std::mutex mutex_;
  std::map<std::string, Entry> entries_;
};

}  // namespace knutpunkt::http
