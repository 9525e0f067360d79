#include "notification_sender.h"

#include <algorithm>
#include <charconv>
#include <iostream>

namespace knutpunkt::fk_simulator {

namespace {

using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

// 503 from the gateway means "not stored, try again"; so do any 5xx, 408, 429 and no answer.
bool retryable(int status) {
  return status == 0 || status == 408 || status == 429 || status >= 500;
}

milliseconds backoff(int attempts, const std::string& retry_after) {
  // 100 ms doubling to 2 s; a Retry-After in seconds lengthens the wait, capped at 10 s so a
  // test's huge Retry-After cannot stall a run.
  milliseconds wait{100LL << std::min(std::max(attempts - 1, 0), 5)};
  wait = std::min(wait, milliseconds{2000});
  std::int64_t seconds = 0;
  if (!retry_after.empty() &&
      std::from_chars(retry_after.data(), retry_after.data() + retry_after.size(), seconds).ec == std::errc{})
    wait = std::max(wait, std::min(milliseconds{seconds * 1000}, milliseconds{10000}));
  return wait;
}

void configure(httplib::Client& client, const GatewayTarget& target) {
  client.set_connection_timeout(std::chrono::seconds{2});
  client.set_read_timeout(std::chrono::seconds{10});
  client.set_write_timeout(std::chrono::seconds{5});
  client.set_keep_alive(true);
  client.set_tcp_nodelay(true);  // headers and body go in separate writes: no delayed-ACK stall
  if (!target.token.empty()) client.set_bearer_token_auth(target.token);
}

bool acknowledged_as_duplicate(const GatewayReply& reply) {
  return reply.status == 200 && reply.body.is_object() && reply.body.value("duplicate", false);
}

}  // namespace

NotificationSender::NotificationSender(GatewayTarget target) : target_(std::move(target)) {}

NotificationSender::~NotificationSender() {
  stop();
}

void NotificationSender::start() {
  std::lock_guard lock(mutex_);
  if (thread_.joinable() || !configured()) return;
  thread_ = std::thread([this] { work(); });
}

void NotificationSender::stop() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
    if (client_ != nullptr) client_->stop();
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void NotificationSender::enqueue(const nlohmann::json& notification, milliseconds delay) {
  const std::string id = notification.at("notifieringsId").get<std::string>();
  {
    std::lock_guard lock(mutex_);
    // The wire form is fixed now, so every retry repeats the same bytes and notifieringsId.
    records_[id] = Record{notification.dump(), "pending", 0, 0};
    due_.emplace(Clock::now() + delay, id);
  }
  wake_.notify_all();
}

GatewayReply NotificationSender::post(httplib::Client& client, const std::string& body) const {
  GatewayReply reply;
  auto result = client.Post(target_.path(), body, "application/json");
  if (!result) {
    reply.error = httplib::to_string(result.error());
    return reply;
  }
  reply.status = result->status;
  reply.retry_after = result->get_header_value("Retry-After");
  reply.body = nlohmann::json::parse(result->body, nullptr, false);
  if (reply.body.is_discarded()) reply.body = result->body;
  return reply;
}

void NotificationSender::work() {
  httplib::Client client(target_.url);
  configure(client, target_);
  std::unique_lock lock(mutex_);
  client_ = &client;
  while (!stopping_) {
    if (due_.empty()) {
      wake_.wait(lock);
      continue;
    }
    if (due_.begin()->first > Clock::now()) {
      wake_.wait_until(lock, due_.begin()->first);
      continue;
    }
    const std::string id = due_.begin()->second;
    due_.erase(due_.begin());
    auto found = records_.find(id);
    if (found == records_.end()) continue;
    const std::string body = found->second.body;
    const auto generation = generation_;
    ++attempts_;
    lock.unlock();
    const auto reply = post(client, body);
    lock.lock();
    if (generation != generation_ || stopping_) continue;  // reset meanwhile: the record is gone
    auto& record = records_.at(id);
    ++record.attempts;
    record.last_status = reply.status;
    if (retryable(reply.status)) {
      ++retries_;
      due_.emplace(Clock::now() + backoff(record.attempts, reply.retry_after), id);
    } else if (reply.status >= 200 && reply.status < 300) {
      ++acknowledged_;
      const bool duplicate = acknowledged_as_duplicate(reply);
      if (duplicate) ++duplicate_acks_;
      record.state = duplicate ? "duplicate" : "acknowledged";
    } else {
      ++gave_up_;
      record.state = "gave_up";
      std::cerr << "notification gave up notifieringsId=" << id << " status=" << reply.status << std::endl;
    }
  }
  client_ = nullptr;
}

GatewayReply NotificationSender::send_once(const std::string& notifieringsId, const std::string& body) {
  {
    std::lock_guard lock(mutex_);
    auto& record = records_[notifieringsId];
    record.body = body;
    record.state = "manual";
    ++manual_sent_;
  }
  // A client of its own: a hand-made send must not wait behind, or be broken off with, the worker's.
  httplib::Client client(target_.url);
  configure(client, target_);
  const auto reply = post(client, body);
  std::lock_guard lock(mutex_);
  if (auto found = records_.find(notifieringsId); found != records_.end()) {
    ++found->second.attempts;
    found->second.last_status = reply.status;
  }
  return reply;
}

nlohmann::json NotificationSender::stats() const {
  std::lock_guard lock(mutex_);
  return {{"sent", attempts_},
          {"acknowledged", acknowledged_},
          {"duplicate_acks", duplicate_acks_},
          {"gave_up", gave_up_},
          {"pending", static_cast<std::int64_t>(due_.size())},
          {"retries", retries_},
          {"manual_sent", manual_sent_}};
}

nlohmann::json NotificationSender::state_of(const std::string& notifieringsId) const {
  std::lock_guard lock(mutex_);
  auto found = records_.find(notifieringsId);
  if (found == records_.end()) return nullptr;
  return {
      {"state", found->second.state}, {"attempts", found->second.attempts}, {"last_status", found->second.last_status}};
}

void NotificationSender::reset() {
  {
    std::lock_guard lock(mutex_);
    ++generation_;
    due_.clear();
    records_.clear();
    attempts_ = acknowledged_ = duplicate_acks_ = gave_up_ = retries_ = manual_sent_ = 0;
  }
  wake_.notify_all();
}

}  // namespace knutpunkt::fk_simulator
