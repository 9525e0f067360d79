#pragma once
// A real delivery stack for the engine tests: SQLite store in a temp dir, AuditLog, io_context
// threads, net::HttpClient, DeliveryEngine, and a cpp-httplib receiver on loopback that records
// every request it sees and answers as the test scripts it.
#include <httplib.h>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <catch2/catch.hpp>
#include <chrono>
#include <filesystem>
#include <functional>
#include <future>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "audit/audit_log.h"
#include "core/ids.h"
#include "core/outbound_adapter.h"
#include "delivery/delivery_engine.h"
#include "net/http_client.h"
#include "store/sqlite/sqlite_store.h"
#include "temp_dir.h"

namespace delivery_test {

using namespace std::chrono_literals;
using SteadyClock = std::chrono::steady_clock;

using knutpunkt::test_support::TempDir;

// Polls until `done` holds or `timeout` passes; returns whether it held.
inline bool eventually(const std::function<bool()>& done, std::chrono::milliseconds timeout = 5000ms) {
  const auto until = SteadyClock::now() + timeout;
  while (SteadyClock::now() < until) {
    if (done()) return true;
    std::this_thread::sleep_for(5ms);
  }
  return done();
}

// One request as the receiver saw it.
struct Seen {
  std::string message_id;  // the Idempotency-Key header
  std::string label;       // payload's "label", e.g. "k1#2"
  SteadyClock::time_point at;
  int status = 0;  // what the receiver answered
  std::string body;
  std::string signature;
};

struct Answer {
  int status = 200;
  std::string retry_after;  // sent as Retry-After when not empty
};

// The receiving partner. `script(label, nth)` decides the answer to the nth (1-based) request
// carrying that label.
class Receiver {
 public:
  using Script = std::function<Answer(const std::string& label, int nth)>;

  Receiver() {
    server_.Post("/in", [this](const httplib::Request& req, httplib::Response& res) {
      Seen seen;
      seen.at = SteadyClock::now();
      seen.message_id = req.get_header_value("Idempotency-Key");
      seen.body = req.body;
      seen.signature = req.get_header_value("Knutpunkt-Signature");
      const auto payload = nlohmann::json::parse(req.body, nullptr, false);
      seen.label = payload.is_object() ? payload.value("label", "") : "";
      Answer answer;
      {
        std::lock_guard lock(mutex_);
        const int nth = ++count_[seen.label];
        answer = script_ ? script_(seen.label, nth) : Answer{};
        seen.status = answer.status;
        seen_.push_back(seen);
      }
      if (!answer.retry_after.empty()) res.set_header("Retry-After", answer.retry_after);
      res.status = answer.status;
      res.set_content("{}", "application/json");
    });
    port_ = server_.bind_to_any_port("127.0.0.1");
    REQUIRE(port_ > 0);
    thread_ = std::thread([this] { server_.listen_after_bind(); });
    // stop() only stops a server that is already running.
    while (!server_.is_running()) std::this_thread::sleep_for(1ms);
  }
  ~Receiver() {
    server_.stop();
    if (thread_.joinable()) thread_.join();
  }
  Receiver(const Receiver&) = delete;
  Receiver& operator=(const Receiver&) = delete;

  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_); }

  void script(Script s) {
    std::lock_guard lock(mutex_);
    script_ = std::move(s);
  }
  std::vector<Seen> seen() const {
    std::lock_guard lock(mutex_);
    return seen_;
  }
  std::vector<Seen> seen(const std::string& label) const {
    std::vector<Seen> out;
    for (const Seen& s : seen()) {
      if (s.label == label) out.push_back(s);
    }
    return out;
  }
  std::size_t count() const {
    std::lock_guard lock(mutex_);
    return seen_.size();
  }
  int delivered(const std::string& label) const {
    int n = 0;
    for (const Seen& s : seen(label)) n += s.status >= 200 && s.status < 300 ? 1 : 0;
    return n;
  }

 private:
  httplib::Server server_;
  int port_ = 0;
  std::thread thread_;
  mutable std::mutex mutex_;
  Script script_;
  std::map<std::string, int> count_;
  std::vector<Seen> seen_;
};

// Renders the payload as JSON to <endpoint>/in. A payload with "unrenderable" is refused.
class JsonAdapter final : public knutpunkt::OutboundAdapter {
 public:
  explicit JsonAdapter(std::string endpoint, std::shared_ptr<knutpunkt::net::TlsProfile> tls = {})
      : endpoint_(std::move(endpoint)), tls_(std::move(tls)) {}
  const std::string& endpoint() const override { return endpoint_; }
  std::shared_ptr<knutpunkt::net::TlsProfile> tls() const override { return tls_; }
  std::expected<knutpunkt::OutboundRequest, knutpunkt::RenderError> render(
      const knutpunkt::OutboundMessage& message) const override {
    if (message.payload.contains("unrenderable")) {
      return std::unexpected(knutpunkt::RenderError{"value_missing", "/unrenderable", "test refusal"});
    }
    knutpunkt::OutboundRequest r;
    r.path = "/in";
    r.body = message.payload.dump();
    return r;
  }

 private:
  std::string endpoint_;
  std::shared_ptr<knutpunkt::net::TlsProfile> tls_;
};

inline knutpunkt::delivery::DestinationSettings fast_settings(const std::string& name) {
  knutpunkt::delivery::DestinationSettings s;
  s.name = name;
  s.retry.max_attempts = 50;
  s.retry.max_age = std::chrono::minutes{5};
  s.retry.initial_backoff = 20ms;
  s.retry.multiplier = 2.0;
  s.retry.max_backoff = 200ms;
  s.retry.jitter = 0.0;
  s.retry.max_retry_after = 5000ms;
  s.breaker.failure_threshold = 1000;  // out of the way unless a test wants it
  s.breaker.open_for = 300ms;
  s.timeout = 2000ms;
  s.max_in_flight = 8;
  return s;
}

inline std::int64_t now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

inline knutpunkt::OutboxMessage message(const std::string& destination, const std::string& ordering_key,
                                        const std::string& label, nlohmann::json extra = nlohmann::json::object()) {
  knutpunkt::OutboxMessage m;
  m.id = knutpunkt::new_uuid();
  m.destination = destination;
  m.type = "referral.requested";
  m.ordering_key = ordering_key;
  m.client_id = "client-a";
  m.case_id = "EB-1";
  m.payload = extra;
  m.payload["label"] = label;
  m.created_at_ms = now_ms();
  m.next_attempt_at_ms = m.created_at_ms;
  return m;
}

// Store, audit log, io threads, HTTP client and engine, on a database file that may outlive it.
// `wrap` may put a test double between the store and the audit log and engine; `store` stays
// the real one, for the test's own reads.
class DeliveryStack {
 public:
  using Wrap = std::function<std::unique_ptr<knutpunkt::Store>(knutpunkt::Store& real)>;

  explicit DeliveryStack(const std::filesystem::path& db, const Wrap& wrap = {}) {
    auto opened = knutpunkt::open_sqlite_store(db);
    REQUIRE(opened.has_value());
    store = std::move(*opened);
    if (wrap) wrapper = wrap(*store);
    knutpunkt::Store& used = wrapper ? *wrapper : *store;
    auto log = knutpunkt::AuditLog::open(used);
    REQUIRE(log.has_value());
    audit = std::move(*log);
    http.emplace(io);
    engine.emplace(io, *http, used, *audit);
  }
  ~DeliveryStack() { shutdown(); }
  DeliveryStack(const DeliveryStack&) = delete;
  DeliveryStack& operator=(const DeliveryStack&) = delete;

  // Adds a destination with its own adapter (kept here).
  void add(knutpunkt::delivery::DestinationSettings settings, std::string endpoint,
           std::shared_ptr<knutpunkt::net::TlsProfile> tls = {}) {
    adapters.push_back(std::make_unique<JsonAdapter>(std::move(endpoint), std::move(tls)));
    engine->add_destination(std::move(settings), *adapters.back());
  }

  void start() {
    REQUIRE(engine->start().has_value());
    for (int i = 0; i < 2; ++i) threads.emplace_back([this] { io.run(); });
  }

  // Enqueues through the engine's real path (one audit record with its EnqueueMessage) and
  // waits until it is durable.
  void submit(const knutpunkt::OutboxMessage& m) {
    std::promise<bool> durable;
    auto done = durable.get_future();
    engine->submit("referral.accepted", {{"message_id", m.id}}, {knutpunkt::store_write::EnqueueMessage{m}},
                   [&durable](auto receipt) { durable.set_value(receipt.has_value()); });
    REQUIRE(done.get());
  }

  knutpunkt::delivery::ReplayResult replay(const std::string& id) {
    std::promise<knutpunkt::delivery::ReplayResult> result;
    auto done = result.get_future();
    engine->replay(id, "operator-1", [&result](knutpunkt::delivery::ReplayResult r) { result.set_value(r); });
    return done.get();
  }

  std::optional<knutpunkt::OutboxMessage> stored(const std::string& id) {
    auto m = store->message(id);
    REQUIRE(m.has_value());
    return *m;
  }
  bool status_is(const std::string& id, knutpunkt::MessageStatus status) {
    auto m = stored(id);
    return m && m->status == status;
  }
  std::vector<knutpunkt::DeliveryAttempt> attempts(const std::string& id) {
    auto list = store->attempts(id);
    REQUIRE(list.has_value());
    return *list;
  }
  // Audit records of `kind` whose body names the message.
  std::vector<knutpunkt::AuditRecord> audit_records(const std::string& kind, const std::string& message_id) {
    std::vector<knutpunkt::AuditRecord> out;
    REQUIRE(store
                ->scan_audit(1,
                             [&](const knutpunkt::AuditRecord& r) {
                               if (r.kind == kind && r.body.is_object() &&
                                   r.body.value("message_id", "") == message_id) {
                                 out.push_back(r);
                               }
                               return true;
                             })
                .has_value());
    return out;
  }
  knutpunkt::delivery::DestinationMetrics metrics(const std::string& destination) {
    for (auto& m : engine->metrics()) {
      if (m.destination == destination) return m;
    }
    FAIL("no metrics for " << destination);
    return {};
  }

  // Stops starting attempts, commits what the audit log holds, then ends the io threads.
  void shutdown() {
    if (down_) return;
    down_ = true;
    engine->stop();
    audit->stop();
    work.reset();
    io.stop();
    for (auto& t : threads) t.join();
    threads.clear();
  }

  boost::asio::io_context io;
  std::optional<boost::asio::executor_work_guard<boost::asio::io_context::executor_type>> work{io.get_executor()};
  std::unique_ptr<knutpunkt::Store> store;
  std::unique_ptr<knutpunkt::Store> wrapper;
  std::unique_ptr<knutpunkt::AuditLog> audit;
  std::optional<knutpunkt::net::HttpClient> http;
  std::vector<std::unique_ptr<JsonAdapter>> adapters;
  std::optional<knutpunkt::delivery::DeliveryEngine> engine;
  std::vector<std::thread> threads;

 private:
  bool down_ = false;
};

}  // namespace delivery_test
