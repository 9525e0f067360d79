#pragma once
// Sends reports to the gateway as a Jobbtorg would: POST {gateway}/v1/partners/{adapter}/reports,
// one report per request, in order per referral (a report goes only after the previous one of the
// same referral was acknowledged or given up), retrying the identical body (same meddelandeId) on
// connection errors, 5xx, 408 and 429 until the gateway answers 2xx, and giving up on other 4xx.
// A small fixed pool of sender threads serves any number of referrals: each referral is a lane
// with at most one report in flight, and lanes wait for their turn in one due-time queue.
#include <httplib.h>

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <thread>
#include <vector>

namespace knutpunkt::jobbtorg_simulator {

struct GatewayTarget {
  std::string url;  // scheme://host:port, e.g. http://127.0.0.1:18080
  std::string token;
  std::string adapter = "jobbtorg";
  std::string path() const { return "/v1/partners/" + adapter + "/reports"; }
};

struct GatewayReply {
  int status = 0;  // 0: no HTTP reply (connection error; see `error`)
  nlohmann::json body;  // parsed JSON, or the raw text as a JSON string
  std::string error;
  std::string retry_after;
};

class ReportSender {
 public:
  ReportSender(GatewayTarget target, std::chrono::milliseconds delay_between_reports, std::size_t threads);
  ~ReportSender();
  ReportSender(const ReportSender&) = delete;
  ReportSender& operator=(const ReportSender&) = delete;

  void start();
  void stop();

  // Appends reports (without meddelandeId/tidpunkt: filled when each is first sent) to the lane of
  // one referral; the first goes out after the report delay.
  void enqueue(const std::string& anvisnings_id, std::vector<nlohmann::json> reports);

  // For tests: send one complete report once, now, from the calling thread, and remember its body.
  GatewayReply send_once(const nlohmann::json& report);
  // For tests: the byte-identical body of an earlier report (automatic or manual), sent once again.
  std::optional<GatewayReply> resend(const std::string& meddelande_id);

  nlohmann::json stats() const;
  // {"typ", "meddelandeId", "state", "attempts", "last_status"} per report of one referral, in order.
  nlohmann::json reports_of(const std::string& anvisnings_id) const;
  std::int64_t pending_for(const std::string& anvisnings_id) const;
  // Drops every queue and counter; a send in flight completes but is no longer recorded.
  void reset();

 private:
  struct Lane {
    std::deque<nlohmann::json> queue;  // the head is the report being sent
    std::string head_body;             // the head's wire form, fixed at its first attempt
    std::string head_id;
    int attempts = 0;
  };
  struct SentReport {
    std::string anvisnings_id;
    std::string typ;
    std::string body;
    std::string state;  // pending, acknowledged, duplicate, gave_up, manual
    int attempts = 0;
    int last_status = 0;
  };

  void work();
  GatewayReply post(httplib::Client& client, const std::string& body) const;
  // Sends one report outside the queues and records the attempt on its sent entry.
  GatewayReply post_by_hand(const std::string& meddelande_id, const std::string& body);
  void remember(const std::string& id, const std::string& anvisnings_id, const std::string& typ,
                const std::string& body, const std::string& state);

  const GatewayTarget target_;
  const std::chrono::milliseconds delay_;
  const std::size_t thread_count_;

  mutable std::mutex mutex_;
  std::condition_variable wake_;
  bool stopping_ = false;
  std::uint64_t generation_ = 0;
  std::map<std::string, Lane> lanes_;
  std::multimap<std::chrono::steady_clock::time_point, std::string> due_;
  std::map<std::string, SentReport> sent_;                   // by meddelandeId
  std::map<std::string, std::vector<std::string>> sent_by_referral_;
  std::vector<httplib::Client*> clients_;  // the workers' clients, so stop() can break a hanging send
  std::vector<std::thread> threads_;

  std::int64_t attempts_ = 0;
  std::int64_t acknowledged_ = 0;
  std::int64_t duplicate_acks_ = 0;
  std::int64_t gave_up_ = 0;
  std::int64_t retries_ = 0;
  std::int64_t manual_sent_ = 0;
};

}  // namespace knutpunkt::jobbtorg_simulator
