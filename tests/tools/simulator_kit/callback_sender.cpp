#include "callback_sender.h"

#include <algorithm>
#include <charconv>
#include <iostream>

namespace knutpunkt::simulator_kit {

namespace {

using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

httplib::Client client_for(const CallbackTarget& target) {
  auto client = make_client(target.url, target.tls);
  client.set_connection_timeout(std::chrono::seconds{2});
  client.set_read_timeout(std::chrono::seconds{10});
  client.set_write_timeout(std::chrono::seconds{5});
  client.set_keep_alive(true);
  // Headers and body go out in separate writes; without TCP_NODELAY the body waits for the peer's
  // delayed ACK (40 ms on Linux) and a sender thread manages some 20 callbacks a second.
  client.set_tcp_nodelay(true);
  if (!target.token.empty()) client.set_bearer_token_auth(target.token);
  return client;
}

bool acknowledged_as_duplicate(const CallbackReply& reply) {
  return reply.status == 200 && reply.body.is_object() && reply.body.value("duplicate", false);
}

}  // namespace

milliseconds CallbackRetry::wait_after(int attempts, const std::string& retry_after) const {
  milliseconds wait = first_wait;
  for (int doubled = 1; doubled < attempts && wait < longest_wait; ++doubled) wait *= 2;
  wait = std::min(wait, longest_wait);
  std::int64_t seconds = 0;
  if (!retry_after.empty() &&
      std::from_chars(retry_after.data(), retry_after.data() + retry_after.size(), seconds).ec == std::errc{})
    wait = std::max(wait, std::min(milliseconds{seconds * 1000}, longest_retry_after));
  return wait;
}

const char* state_name(CallbackState state) {
  switch (state) {
    case CallbackState::pending:
      return "pending";
    case CallbackState::acknowledged:
      return "acknowledged";
    case CallbackState::duplicate:
      return "duplicate";
    case CallbackState::gave_up:
      return "gave_up";
    case CallbackState::manual:
      return "manual";
  }
  return "unknown";
}

nlohmann::json describe(const CallbackRecord& record) {
  return {{"state", state_name(record.state)}, {"attempts", record.attempts}, {"last_status", record.last_status}};
}

CallbackSender::CallbackSender(CallbackSettings settings) : settings_(std::move(settings)) {}

CallbackSender::~CallbackSender() {
  stop();
}

void CallbackSender::start() {
  std::lock_guard lock(mutex_);
  if (!threads_.empty() || !configured()) return;
  for (std::size_t i = 0; i < std::max<std::size_t>(settings_.threads, 1); ++i)
    threads_.emplace_back([this] { work(); });
}

void CallbackSender::stop() {
  std::vector<std::thread> threads;
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
    for (auto* client : clients_) client->stop();
    threads.swap(threads_);
  }
  wake_.notify_all();
  for (auto& thread : threads) thread.join();
}

void CallbackSender::due_after(milliseconds wait, const std::string& lane) {
  due_.emplace(Clock::now() + wait, lane);
}

void CallbackSender::enqueue(const std::string& lane, Callback callback) {
  {
    std::lock_guard lock(mutex_);
    remember(lane, callback, CallbackState::pending);
    auto& queue = lanes_[lane].queue;
    if (queue.empty()) due_after(settings_.delay, lane);
    queue.push_back(Queued{std::move(callback), {}});
  }
  wake_.notify_all();
}

void CallbackSender::enqueue(const std::string& lane, std::vector<CallbackMaker> makers) {
  if (makers.empty()) return;
  {
    std::lock_guard lock(mutex_);
    auto& queue = lanes_[lane].queue;
    if (queue.empty()) due_after(settings_.delay, lane);
    for (auto& maker : makers) queue.push_back(Queued{std::nullopt, std::move(maker)});
  }
  wake_.notify_all();
}

CallbackReply CallbackSender::post(httplib::Client& client, const std::string& body) const {
  CallbackReply reply;
  auto result = client.Post(settings_.target.path, body, "application/json");
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

void CallbackSender::remember(const std::string& lane, const Callback& callback, CallbackState state) {
  const auto [entry, inserted] = records_.try_emplace(callback.id, CallbackRecord{callback.id, lane, callback.body});
  entry->second.state = state;
  if (inserted) {
    ids_by_lane_[lane].push_back(callback.id);
    return;
  }
  // A manual callback may reuse an id on purpose; resend then repeats the latest body.
  entry->second.body = callback.body;
}

void CallbackSender::work() {
  auto client = client_for(settings_.target);
  std::unique_lock lock(mutex_);
  clients_.push_back(&client);
  while (!stopping_) {
    if (due_.empty()) {
      wake_.wait(lock);
      continue;
    }
    if (const auto next = due_.begin()->first; next > Clock::now()) {
      // A copy, not the map's key: wait_until reads the time again after waking, and meanwhile
      // another worker may have taken and erased that entry (AddressSanitizer: heap-use-after-free).
      wake_.wait_until(lock, next);
      continue;
    }
    const std::string lane_name = due_.begin()->second;
    due_.erase(due_.begin());
    auto& head = lanes_.at(lane_name).queue.front();
    if (!head.made) {
      // The wire form is fixed at the first attempt, so every retry repeats the id and all bytes:
      // the gateway must recognise it as the same message.
      head.made = head.maker();
      remember(lane_name, *head.made, CallbackState::pending);
    }
    const Callback callback = *head.made;
    const auto generation = generation_;
    ++attempts_;
    lock.unlock();
    const auto reply = post(client, callback.body);
    lock.lock();
    if (generation != generation_ || stopping_) continue;  // reset meanwhile: the lane is gone
    auto& lane = lanes_.at(lane_name);
    auto& record = records_.at(callback.id);
    ++lane.attempts;
    record.attempts = lane.attempts;
    record.last_status = reply.status;
    if (CallbackRetry::retryable(reply.status)) {
      ++retries_;
      due_after(settings_.retry.wait_after(lane.attempts, reply.retry_after), lane_name);
      continue;
    }
    if (reply.status >= 200 && reply.status < 300) {
      ++acknowledged_;
      const bool duplicate = acknowledged_as_duplicate(reply);
      if (duplicate) ++duplicate_acks_;
      record.state = duplicate ? CallbackState::duplicate : CallbackState::acknowledged;
    } else {
      ++gave_up_;
      record.state = CallbackState::gave_up;
      if (settings_.log_gave_up)
        settings_.log_gave_up(record);
      else
        std::cerr << "callback gave up id=" << record.id << " lane=" << lane_name << " status=" << reply.status
                  << std::endl;
    }
    lane.queue.pop_front();
    lane.attempts = 0;
    if (lane.queue.empty())
      lanes_.erase(lane_name);
    else
      due_after(settings_.delay, lane_name);
  }
  std::erase(clients_, &client);
}

CallbackReply CallbackSender::send_once(const std::string& lane, const Callback& callback) {
  {
    std::lock_guard lock(mutex_);
    remember(lane, callback, CallbackState::manual);
    ++manual_sent_;
  }
  return post_by_hand(callback.id, callback.body);
}

std::optional<CallbackReply> CallbackSender::resend(const std::string& id) {
  std::string body;
  {
    std::lock_guard lock(mutex_);
    const auto found = records_.find(id);
    if (found == records_.end()) return std::nullopt;
    body = found->second.body;
    ++manual_sent_;
  }
  return post_by_hand(id, body);
}

CallbackReply CallbackSender::post_by_hand(const std::string& id, const std::string& body) {
  // A client of its own: a hand-made send must not wait behind, or be broken off with, the workers'.
  auto client = client_for(settings_.target);
  const auto reply = post(client, body);
  std::lock_guard lock(mutex_);
  if (auto found = records_.find(id); found != records_.end()) {
    ++found->second.attempts;
    found->second.last_status = reply.status;
  }
  return reply;
}

nlohmann::json CallbackSender::stats() const {
  std::lock_guard lock(mutex_);
  std::int64_t pending = 0;
  for (const auto& [name, lane] : lanes_) pending += static_cast<std::int64_t>(lane.queue.size());
  return {
      {"sent", attempts_},  {"acknowledged", acknowledged_}, {"duplicate_acks", duplicate_acks_}, {"gave_up", gave_up_},
      {"pending", pending}, {"retries", retries_},           {"manual_sent", manual_sent_}};
}

std::optional<CallbackRecord> CallbackSender::record(const std::string& id) const {
  std::lock_guard lock(mutex_);
  const auto found = records_.find(id);
  if (found == records_.end()) return std::nullopt;
  return found->second;
}

std::vector<CallbackRecord> CallbackSender::records_of(const std::string& lane) const {
  std::lock_guard lock(mutex_);
  std::vector<CallbackRecord> out;
  if (const auto found = ids_by_lane_.find(lane); found != ids_by_lane_.end())
    for (const auto& id : found->second) out.push_back(records_.at(id));
  return out;
}

std::int64_t CallbackSender::pending_for(const std::string& lane) const {
  std::lock_guard lock(mutex_);
  const auto found = lanes_.find(lane);
  return found == lanes_.end() ? 0 : static_cast<std::int64_t>(found->second.queue.size());
}

void CallbackSender::reset() {
  {
    std::lock_guard lock(mutex_);
    ++generation_;
    lanes_.clear();
    due_.clear();
    records_.clear();
    ids_by_lane_.clear();
    attempts_ = acknowledged_ = duplicate_acks_ = gave_up_ = retries_ = manual_sent_ = 0;
  }
  wake_.notify_all();
}

}  // namespace knutpunkt::simulator_kit
