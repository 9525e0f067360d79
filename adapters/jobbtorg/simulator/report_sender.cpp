#include "report_sender.h"

#include <algorithm>
#include <charconv>
#include <iostream>

#include "report_writer.h"

namespace knutpunkt::jobbtorg_simulator {

namespace {

using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

// README "Replies from knutpunkt": 503 means the report could not be stored, so try again; the
// same holds for any 5xx, 408, 429 and for no answer at all. Any other 4xx is final.
bool retryable(int status) { return status == 0 || status == 408 || status == 429 || status >= 500; }

milliseconds backoff(int attempts, const std::string& retry_after) {
  // 100 ms doubling to 2 s; a Retry-After in seconds lengthens the wait (capped, so a test's
  // huge Retry-After cannot stall a run forever).
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
  // Headers and body go out in separate writes; without TCP_NODELAY the body waits for the peer's
  // delayed ACK (40 ms on Linux) and a sender thread manages some 20 reports a second.
  client.set_tcp_nodelay(true);
  if (!target.token.empty()) client.set_bearer_token_auth(target.token);
}

}  // namespace

ReportSender::ReportSender(GatewayTarget target, milliseconds delay_between_reports, std::size_t threads)
    : target_(std::move(target)), delay_(delay_between_reports), thread_count_(std::max<std::size_t>(threads, 1)) {}

ReportSender::~ReportSender() { stop(); }

void ReportSender::start() {
  std::lock_guard lock(mutex_);
  if (!threads_.empty()) return;
  for (std::size_t i = 0; i < thread_count_; ++i) threads_.emplace_back([this] { work(); });
}

void ReportSender::stop() {
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

void ReportSender::enqueue(const std::string& anvisnings_id, std::vector<nlohmann::json> reports) {
  if (reports.empty()) return;
  {
    std::lock_guard lock(mutex_);
    auto& lane = lanes_[anvisnings_id];
    const bool idle = lane.queue.empty();
    for (auto& report : reports) lane.queue.push_back(std::move(report));
    if (idle) due_.emplace(Clock::now() + delay_, anvisnings_id);
  }
  wake_.notify_all();
}

GatewayReply ReportSender::post(httplib::Client& client, const std::string& body) const {
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

void ReportSender::remember(const std::string& id, const std::string& anvisnings_id, const std::string& typ,
                            const std::string& body, const std::string& state) {
  const auto [entry, inserted] = sent_.try_emplace(id, SentReport{anvisnings_id, typ, body, state, 0, 0});
  if (inserted) {
    sent_by_referral_[anvisnings_id].push_back(id);
    return;
  }
  // A manual report may reuse a meddelandeId on purpose; resend then repeats the latest body.
  entry->second.body = body;
  entry->second.state = state;
}

void ReportSender::work() {
  httplib::Client client(target_.url);
  configure(client, target_);
  std::unique_lock lock(mutex_);
  clients_.push_back(&client);
  while (!stopping_) {
    if (due_.empty()) {
      wake_.wait(lock);
      continue;
    }
    if (due_.begin()->first > Clock::now()) {
      wake_.wait_until(lock, due_.begin()->first);
      continue;
    }
    const std::string anvisnings_id = due_.begin()->second;
    due_.erase(due_.begin());
    auto& lane = lanes_.at(anvisnings_id);
    if (lane.head_body.empty()) {
      // The wire form is fixed at the first attempt, so every retry repeats meddelandeId,
      // tidpunkt and all bytes: the gateway must recognise it as the same report.
      auto& report = lane.queue.front();
      complete_report(report, anvisnings_id);
      lane.head_id = report["meddelandeId"].get<std::string>();
      lane.head_body = report.dump();
      remember(lane.head_id, anvisnings_id, report.value("typ", ""), lane.head_body, "pending");
    }
    const std::string body = lane.head_body;
    const std::string id = lane.head_id;
    const auto generation = generation_;
    ++attempts_;
    lock.unlock();
    const auto reply = post(client, body);
    lock.lock();
    if (generation != generation_ || stopping_) continue;  // reset meanwhile: the lane is gone
    auto& current = lanes_.at(anvisnings_id);
    auto& record = sent_.at(id);
    ++current.attempts;
    record.attempts = current.attempts;
    record.last_status = reply.status;
    if (retryable(reply.status)) {
      ++retries_;
      due_.emplace(Clock::now() + backoff(current.attempts, reply.retry_after), anvisnings_id);
      continue;
    }
    if (reply.status >= 200 && reply.status < 300) {
      ++acknowledged_;
      const bool duplicate = reply.status == 200 && reply.body.is_object() && reply.body.value("duplicate", false);
      if (duplicate) ++duplicate_acks_;
      record.state = duplicate ? "duplicate" : "acknowledged";
    } else {
      ++gave_up_;
      record.state = "gave_up";
      std::cerr << "report gave up meddelandeId=" << id << " anvisningsId=" << anvisnings_id
                << " status=" << reply.status << std::endl;
    }
    current.queue.pop_front();
    current.head_body.clear();
    current.head_id.clear();
    current.attempts = 0;
    if (current.queue.empty())
      lanes_.erase(anvisnings_id);
    else
      due_.emplace(Clock::now() + delay_, anvisnings_id);
  }
  std::erase(clients_, &client);
}

GatewayReply ReportSender::send_once(const nlohmann::json& report) {
  const auto id = report.value("meddelandeId", "");
  const auto body = report.dump();
  {
    std::lock_guard lock(mutex_);
    remember(id, report.value("anvisningsId", ""), report.value("typ", ""), body, "manual");
    ++manual_sent_;
  }
  return post_by_hand(id, body);
}

std::optional<GatewayReply> ReportSender::resend(const std::string& meddelande_id) {
  std::string body;
  {
    std::lock_guard lock(mutex_);
    const auto found = sent_.find(meddelande_id);
    if (found == sent_.end()) return std::nullopt;
    body = found->second.body;
    ++manual_sent_;
  }
  return post_by_hand(meddelande_id, body);
}

GatewayReply ReportSender::post_by_hand(const std::string& meddelande_id, const std::string& body) {
  // A client of its own: a hand-made send must not wait behind, or be broken off with, the workers'.
  httplib::Client client(target_.url);
  configure(client, target_);
  const auto reply = post(client, body);
  std::lock_guard lock(mutex_);
  if (auto found = sent_.find(meddelande_id); found != sent_.end()) {
    ++found->second.attempts;
    found->second.last_status = reply.status;
  }
  return reply;
}

nlohmann::json ReportSender::stats() const {
  std::lock_guard lock(mutex_);
  std::int64_t pending = 0;
  for (const auto& [id, lane] : lanes_) pending += static_cast<std::int64_t>(lane.queue.size());
  return {{"sent", attempts_},          {"acknowledged", acknowledged_}, {"duplicate_acks", duplicate_acks_},
          {"gave_up", gave_up_},        {"pending", pending},            {"retries", retries_},
          {"manual_sent", manual_sent_}};
}

nlohmann::json ReportSender::reports_of(const std::string& anvisnings_id) const {
  std::lock_guard lock(mutex_);
  nlohmann::json out = nlohmann::json::array();
  const auto found = sent_by_referral_.find(anvisnings_id);
  if (found != sent_by_referral_.end())
    for (const auto& id : found->second) {
      const auto& report = sent_.at(id);
      out.push_back({{"typ", report.typ},
                     {"meddelandeId", id},
                     {"state", report.state},
                     {"attempts", report.attempts},
                     {"last_status", report.last_status}});
    }
  return out;
}

std::int64_t ReportSender::pending_for(const std::string& anvisnings_id) const {
  std::lock_guard lock(mutex_);
  const auto found = lanes_.find(anvisnings_id);
  return found == lanes_.end() ? 0 : static_cast<std::int64_t>(found->second.queue.size());
}

void ReportSender::reset() {
  {
    std::lock_guard lock(mutex_);
    ++generation_;
    lanes_.clear();
    due_.clear();
    sent_.clear();
    sent_by_referral_.clear();
    attempts_ = acknowledged_ = duplicate_acks_ = gave_up_ = retries_ = manual_sent_ = 0;
  }
  wake_.notify_all();
}

}  // namespace knutpunkt::jobbtorg_simulator
