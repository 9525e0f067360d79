#include "sip_coordination/sip_reminders.h"

#include "log/log.h"

namespace knutpunkt::sip_coordination {

SipReminderSchedule::SipReminderSchedule(boost::asio::io_context& io, SipCoordinator& coordinator,
                                         std::chrono::seconds interval)
    : coordinator_(coordinator), interval_(interval), timer_(io) {}

void SipReminderSchedule::start() {
  arm();
}

void SipReminderSchedule::stop() {
  timer_.cancel();
}

void SipReminderSchedule::arm() {
  timer_.expires_after(interval_);
  timer_.async_wait([this](const boost::system::error_code& ec) {
    if (ec) return;
    if (!round_running_.exchange(true)) {
      coordinator_.raise_reminders([this](std::expected<int, StoreError> raised) {
        round_running_ = false;
        if (!raised) log::warn("sip.reminders_failed", {{"code", raised.error().code}});
        else if (*raised > 0) log::info("sip.reminders_raised", {{"count", *raised}});
      });
    }
    arm();
  });
}

}  // namespace knutpunkt::sip_coordination
