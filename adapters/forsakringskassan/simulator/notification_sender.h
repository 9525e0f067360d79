#pragma once
// Pushes decision notifications to the gateway as Försäkringskassan would:
// POST {gateway}/v1/partners/{adapter}/reports with Authorization: Bearer, the identical body
// (same notifieringsId) again on connection errors, 5xx, 408 and 429 until the gateway answers
// 2xx, giving up on any other 4xx. One worker thread and one due-time queue: notifications are
// independent of each other, unlike Jobbtorg's reports on one referral, so no ordering lanes.
#include <httplib.h>

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>

namespace knutpunkt::fk_simulator {

struct GatewayTarget {
  std::string url;  // scheme://host:port, e.g. http://127.0.0.1:18080
  std::string token;
  std::string adapter = "forsakringskassan";
  std::string path() const { return "/v1/partners/" + adapter + "/reports"; }
};

struct GatewayReply {
  int status = 0;       // 0: no HTTP reply (see `error`)
  nlohmann::json body;  // parsed JSON, or the raw text as a JSON string
  std::string error;
  std::string retry_after;
};

class NotificationSender {
 public:
  explicit NotificationSender(GatewayTarget target);
  ~NotificationSender();
  NotificationSender(const NotificationSender&) = delete;
  NotificationSender& operator=(const NotificationSender&) = delete;

  void start();
  void stop();
  bool configured() const { return !target_.url.empty(); }

  // Sends `notification` (complete, with its notifieringsId) after `delay`, retrying as above.
  void enqueue(const nlohmann::json& notification, std::chrono::milliseconds delay);

  // For tests: one attempt now, from the calling thread, no retry.
  GatewayReply send_once(const std::string& notifieringsId, const std::string& body);

  // {"sent", "acknowledged", "duplicate_acks", "gave_up", "retries", "pending", "manual_sent"}
  nlohmann::json stats() const;
  // {"state": pending|acknowledged|duplicate|gave_up|manual, "attempts", "last_status"}; null if unknown.
  nlohmann::json state_of(const std::string& notifieringsId) const;
  // Drops the queue and the records; a send in flight completes but is no longer recorded.
  void reset();

 private:
  struct Record {
    std::string body;
    std::string state;
    int attempts = 0;
    int last_status = 0;
  };

  void work();
  GatewayReply post(httplib::Client& client, const std::string& body) const;

  const GatewayTarget target_;
  mutable std::mutex mutex_;
  std::condition_variable wake_;
  bool stopping_ = false;
  std::uint64_t generation_ = 0;
  std::multimap<std::chrono::steady_clock::time_point, std::string> due_;  // -> notifieringsId
  std::map<std::string, Record> records_;
  httplib::Client* client_ = nullptr;  // the worker's, so stop() can break a hanging send
  std::thread thread_;

  std::int64_t attempts_ = 0;
  std::int64_t acknowledged_ = 0;
  std::int64_t duplicate_acks_ = 0;
  std::int64_t gave_up_ = 0;
  std::int64_t retries_ = 0;
  std::int64_t manual_sent_ = 0;
};

}  // namespace knutpunkt::fk_simulator
