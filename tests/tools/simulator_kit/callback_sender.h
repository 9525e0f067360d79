#pragma once
// Calls the gateway back as a partner would (Jobbtorg's reports, Försäkringskassan's decision
// notifications): POST {gateway}{path} with Authorization: Bearer, one callback per request,
// repeating the identical body on connection errors, 5xx, 408 and 429 until the gateway answers
// 2xx, and giving up on any other 4xx.
// Callbacks queue in lanes: a lane has at most one callback in flight, and the next one of the
// same lane goes only after the previous was acknowledged or given up (Jobbtorg's reports on one
// referral arrive in order). A small fixed pool of threads serves any number of lanes through one
// due-time queue. What a callback is and which lane it belongs to is the simulator's business.
#include <httplib.h>

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "tls.h"

namespace knutpunkt::simulator_kit {

struct CallbackTarget {
  std::string url;  // scheme://host:port, e.g. http://127.0.0.1:18080; empty: nowhere to send
  std::string token;
  std::string path;
  ClientTls tls;  // for an https url
};

// Where a partner simulator calls the gateway back (--gateway URL, --gateway-token T, --adapter NAME,
// and for https --gateway-ca PATH [--gateway-cert PATH --gateway-key PATH]): the path partners push
// their messages to, /v1/partners/{adapter}/reports.
struct PartnerGateway {
  std::string url;  // empty: no callbacks
  std::string token;
  std::string adapter;
  ClientTls tls;
  CallbackTarget target() const { return {url, token, "/v1/partners/" + adapter + "/reports", tls}; }
};

struct CallbackRetry {
  std::chrono::milliseconds first_wait{100};     // doubled after every failed attempt ...
  std::chrono::milliseconds longest_wait{2000};  // ... up to this
  // A Retry-After (seconds) lengthens the wait, but no further than this, so a test's huge
  // Retry-After cannot stall a run forever.
  std::chrono::milliseconds longest_retry_after{10000};

  // 503 from the gateway means "not stored, try again"; so do any 5xx, 408, 429 and no answer
  // (status 0). Any other 4xx is final.
  static bool retryable(int status) { return status == 0 || status == 408 || status == 429 || status >= 500; }
  // The wait before the next attempt after `attempts` failed ones.
  std::chrono::milliseconds wait_after(int attempts, const std::string& retry_after) const;
};

struct CallbackReply {
  int status = 0;       // 0: no HTTP reply (see `error`)
  nlohmann::json body;  // parsed JSON, or the raw text as a JSON string
  std::string error;
  std::string retry_after;
};

// One callback's wire form: every attempt sends `body` byte for byte, so the gateway can know it
// for the same message by its id.
struct Callback {
  std::string id;
  std::string body;
};

// Makes a callback's wire form at its first attempt (Jobbtorg stamps a report with its id and
// send time then, not when it was queued); called by a sender thread with the sender's lock held.
using CallbackMaker = std::function<Callback()>;

enum class CallbackState { pending, acknowledged, duplicate, gave_up, manual };
const char* state_name(CallbackState state);

struct CallbackRecord {
  std::string id;
  std::string lane;
  std::string body;  // the latest body sent under this id
  CallbackState state = CallbackState::pending;
  int attempts = 0;
  int last_status = 0;
};

// {"state", "attempts", "last_status"}
nlohmann::json describe(const CallbackRecord& record);

struct CallbackSettings {
  CallbackTarget target;
  std::chrono::milliseconds delay{200};  // before a lane's first callback, and between its callbacks
  CallbackRetry retry;
  std::size_t threads = 1;
  // Logs a callback given up on, ids and status only (never personal data); called with the
  // sender's lock held. Unset: a generic line on stderr.
  std::function<void(const CallbackRecord&)> log_gave_up;
};

class CallbackSender {
 public:
  explicit CallbackSender(CallbackSettings settings);
  ~CallbackSender();
  CallbackSender(const CallbackSender&) = delete;
  CallbackSender& operator=(const CallbackSender&) = delete;

  bool configured() const { return !settings_.target.url.empty(); }
  // Starts the sender threads; does nothing when not configured or already started.
  void start();
  // Breaks off sends in flight and joins the threads; what is queued stays unsent.
  void stop();

  // Appends callbacks to `lane`; the first goes out after the delay. A callback fixed now is
  // recorded as pending at once; one made later is recorded when it is made.
  void enqueue(const std::string& lane, Callback callback);
  void enqueue(const std::string& lane, std::vector<CallbackMaker> makers);

  // For tests: one attempt now, from the calling thread, no retry; recorded as manual.
  CallbackReply send_once(const std::string& lane, const Callback& callback);
  // For tests: the byte-identical body last sent under `id` (queued or manual), once more, now.
  std::optional<CallbackReply> resend(const std::string& id);

  // {"sent", "acknowledged", "duplicate_acks", "gave_up", "retries", "pending", "manual_sent"}:
  // sent counts every queued attempt; duplicate_acks the 200 {"duplicate": true} answers; pending
  // the callbacks queued and not yet settled, one in flight included.
  nlohmann::json stats() const;
  std::optional<CallbackRecord> record(const std::string& id) const;
  // The records of one lane, in the order they were first made.
  std::vector<CallbackRecord> records_of(const std::string& lane) const;
  std::int64_t pending_for(const std::string& lane) const;
  // Drops every queue, record and counter; a send in flight completes but is no longer recorded.
  void reset();

 private:
  struct Queued {
    std::optional<Callback> made;  // set once the wire form is fixed
    CallbackMaker maker;
  };
  struct Lane {
    std::deque<Queued> queue;  // the head is the callback being sent
    int attempts = 0;
  };

  void work();
  CallbackReply post(httplib::Client& client, const std::string& body) const;
  // Sends outside the queues, on a client of its own, and records the attempt.
  CallbackReply post_by_hand(const std::string& id, const std::string& body);
  // Creates the record of `id` or, for an id sent again by hand, takes the new body and state.
  void remember(const std::string& lane, const Callback& callback, CallbackState state);
  void due_after(std::chrono::milliseconds wait, const std::string& lane);

  const CallbackSettings settings_;

  mutable std::mutex mutex_;
  std::condition_variable wake_;
  bool stopping_ = false;
  std::uint64_t generation_ = 0;
  std::map<std::string, Lane> lanes_;
  std::multimap<std::chrono::steady_clock::time_point, std::string> due_;  // -> lane
  std::map<std::string, CallbackRecord> records_;                          // by id
  std::map<std::string, std::vector<std::string>> ids_by_lane_;
  std::vector<httplib::Client*> clients_;  // the workers' clients, so stop() can break a hanging send
  std::vector<std::thread> threads_;

  std::int64_t attempts_ = 0;
  std::int64_t acknowledged_ = 0;
  std::int64_t duplicate_acks_ = 0;
  std::int64_t gave_up_ = 0;
  std::int64_t retries_ = 0;
  std::int64_t manual_sent_ = 0;
};

}  // namespace knutpunkt::simulator_kit
