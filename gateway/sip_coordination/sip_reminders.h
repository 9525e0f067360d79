#pragma once
// Runs SipCoordinator::raise_reminders every `interval` on the io_context. Each reminder is raised
// once (the store remembers it, checked under the plan's lock), so a restart or an overlapping
// round is harmless. One gateway per SQLite store (README, known gaps): several gateways sharing
// work would need the store to claim each reminder.
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>

#include <atomic>
#include <chrono>

#include "sip_coordination/sip_coordinator.h"

namespace knutpunkt::sip_coordination {

class SipReminderSchedule {
 public:
  SipReminderSchedule(boost::asio::io_context& io, SipCoordinator& coordinator, std::chrono::seconds interval);
  void start();
  void stop();

 private:
  void arm();

  SipCoordinator& coordinator_;
  std::chrono::seconds interval_;
  boost::asio::steady_timer timer_;
  std::atomic<bool> round_running_{false};  // a slow round is not overlapped by the next
};

}  // namespace knutpunkt::sip_coordination
