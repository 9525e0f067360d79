#pragma once
#include <chrono>
#include <condition_variable>
#include <mutex>

namespace knutpunkt::simulator_kit {

// Injected latency sleeps in a server worker; stopping the server cuts the sleep short so that
// SIGTERM takes effect at once instead of after the longest configured delay.
class StopSignal {
 public:
  void request() {
    {
      std::lock_guard lock(mutex_);
      stopping_ = true;
    }
    wake_.notify_all();
  }
  // False when woken by a stop.
  bool sleep_for(std::chrono::milliseconds duration) {
    std::unique_lock lock(mutex_);
    return !wake_.wait_for(lock, duration, [this] { return stopping_; });
  }
  bool stopping() {
    std::lock_guard lock(mutex_);
    return stopping_;
  }

 private:
  std::mutex mutex_;
  std::condition_variable wake_;
  bool stopping_ = false;
};

}  // namespace knutpunkt::simulator_kit
