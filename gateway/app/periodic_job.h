#pragma once
// A job the gateway runs every `interval` on its io_context (SIP reminders, audit retention,
// readiness checks). A
// round still running when the next is due is not overlapped: that next round is skipped. Each
// job must be harmless to repeat after a restart (what it did is in the store).
#include <atomic>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <functional>
#include <string>

namespace knutpunkt::app {

class PeriodicJob {
 public:
  // `round` is given a callback to call once the round is over (it may finish on another thread).
  // `name` says which job it is, in the gateway's listing of its jobs.
  using Round = std::function<void(std::function<void()> done)>;

  PeriodicJob(boost::asio::io_context& io, std::string name, std::chrono::milliseconds interval, Round round);
  void start();
  void stop();
  const std::string& name() const { return name_; }

 private:
  void arm();

  std::string name_;
  std::chrono::milliseconds interval_;
  Round round_;
  boost::asio::steady_timer timer_;
  std::atomic<bool> running_{false};
};

}  // namespace knutpunkt::app
