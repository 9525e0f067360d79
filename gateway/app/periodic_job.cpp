#include "app/periodic_job.h"

namespace knutpunkt::app {

PeriodicJob::PeriodicJob(boost::asio::io_context& io, std::string name, std::chrono::milliseconds interval, Round round)
    : name_(std::move(name)), interval_(interval), round_(std::move(round)), timer_(io) {}

void PeriodicJob::start() {
  arm();
}

void PeriodicJob::stop() {
  timer_.cancel();
}

void PeriodicJob::arm() {
  timer_.expires_after(interval_);
  timer_.async_wait([this](const boost::system::error_code& ec) {
    if (ec) return;
    if (!running_.exchange(true)) round_([this] { running_ = false; });
    arm();
  });
}

}  // namespace knutpunkt::app
