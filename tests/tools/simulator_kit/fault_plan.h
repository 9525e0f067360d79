#pragma once
// HTTP fault injection for the loopback simulators, set through their control API
// (PUT {prefix}/faults with a JSON body) and consulted once per protocol request. One plan per
// server, shared by its worker threads.
//
// Body: {"mode": none|error|reset|slow|flap|rate_limit|reject|lost_reply, "status": N,
//        "latency_ms": N, "retry_after": "S", "fail_first": N, "up_ms": N, "down_ms": N}
#include <chrono>
#include <cstdint>
#include <expected>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>

#include "fault_fields.h"

namespace knutpunkt::simulator_kit {

enum class FaultMode {
  none,        // only latency, if any
  error,       // reply `status` (default: the server's error status, 503)
  reset,       // the TCP connection is reset, no reply at all
  slow,        // like none; named so a test reads as what it does (latency_ms is the point)
  flap,        // up_ms of normal service, then down_ms of failure, repeating from the moment set;
               // while down, requests alternate between a 503 and a reset
  rate_limit,  // 429 with Retry-After (retry_after, default "1")
  reject,      // a final error (default: the server's reject status, 422 or 400)
  lost_reply,  // the request takes effect, then the connection is reset: the ambiguous failure
               // after which only idempotency keeps a retry from acting twice
};

struct FaultSpec {
  FaultMode mode = FaultMode::none;
  int status = 0;  // 0: the server's default for the mode
  std::chrono::milliseconds latency{0};
  std::string retry_after;          // empty: no Retry-After header (rate_limit defaults to "1")
  std::optional<std::int64_t> fail_first;  // per request key: only its first N attempts fail
  std::chrono::milliseconds up{1000};
  std::chrono::milliseconds down{1000};
};

std::expected<FaultSpec, FaultSpecError> parse_fault_spec(const nlohmann::json& body);
nlohmann::json describe(const FaultSpec& spec);

enum class FaultAction {
  pass,        // serve the request normally (after `latency`)
  reply,       // answer `status` without any effect
  reset,       // reset the connection without any effect
  lost_reply,  // serve the request's effect, then reset the connection
};

struct FaultDecision {
  FaultAction action = FaultAction::pass;
  int status = 0;
  std::string retry_after;  // empty: no header
  std::chrono::milliseconds latency{0};
  FaultMode mode = FaultMode::none;

  // reply and reset answer in place of the request, which then has no effect at all.
  bool fails_without_effect() const { return action == FaultAction::reply || action == FaultAction::reset; }
};

struct FaultDefaults {
  int error_status = 503;
  int reject_status = 422;
};

std::string_view mode_name(FaultMode mode);

class FaultPlan {
 public:
  explicit FaultPlan(FaultDefaults defaults) : defaults_(defaults) {}

  // Setting a plan restarts its clocks: per-key attempt counts (fail_first) and the flap phase.
  void set(FaultSpec spec);
  void clear();
  nlohmann::json describe() const;

  // The fault for one request. `key` identifies the logical message across retries (the
  // Idempotency-Key), so fail_first can fail each message's first N attempts and then let it through.
  FaultDecision decide(std::string_view key);

 private:
  const FaultDefaults defaults_;
  mutable std::mutex mutex_;
  FaultSpec spec_;
  std::chrono::steady_clock::time_point set_at_ = std::chrono::steady_clock::now();
  std::map<std::string, std::int64_t, std::less<>> attempts_;
  std::uint64_t down_requests_ = 0;
};

}  // namespace knutpunkt::simulator_kit
