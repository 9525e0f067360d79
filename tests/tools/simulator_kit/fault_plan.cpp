#include "fault_plan.h"

namespace knutpunkt::simulator_kit {

namespace {

constexpr ModeTable<FaultMode, 8> kModes{{
    {"none", FaultMode::none},
    {"error", FaultMode::error},
    {"reset", FaultMode::reset},
    {"slow", FaultMode::slow},
    {"flap", FaultMode::flap},
    {"rate_limit", FaultMode::rate_limit},
    {"reject", FaultMode::reject},
    {"lost_reply", FaultMode::lost_reply},
}};

}  // namespace

std::string_view mode_name(FaultMode mode) { return name_in(kModes, mode); }

std::expected<FaultSpec, FaultSpecError> parse_fault_spec(const nlohmann::json& body) {
  if (auto object = require_object(body); !object) return std::unexpected(object.error());
  FaultSpec spec;
  auto mode = read_mode(body, kModes);
  if (!mode) return std::unexpected(mode.error());
  spec.mode = mode->value_or(FaultMode::none);
  if (body.contains("status")) {
    if (!body["status"].is_number_integer() || body["status"].get<int>() < 200 || body["status"].get<int>() > 599)
      return std::unexpected(FaultSpecError{"status", "must be an HTTP status code (200..599)"});
    spec.status = body["status"].get<int>();
  }
  auto latency = integer_field(body, "latency_ms", 0);
  if (!latency) return std::unexpected(latency.error());
  spec.latency = std::chrono::milliseconds{latency->value_or(0)};
  // A string, as on the wire: seconds or an HTTP date, sent verbatim.
  auto retry_after = string_field(body, "retry_after");
  if (!retry_after) return std::unexpected(retry_after.error());
  spec.retry_after = retry_after->value_or("");
  auto fail_first = integer_field(body, "fail_first", 1);
  if (!fail_first) return std::unexpected(fail_first.error());
  spec.fail_first = *fail_first;
  for (const char* field : {"up_ms", "down_ms"}) {
    auto value = integer_field(body, field, 1);
    if (!value) return std::unexpected(value.error());
    if (*value) (std::string_view(field) == "up_ms" ? spec.up : spec.down) = std::chrono::milliseconds{**value};
  }
  return spec;
}

nlohmann::json describe(const FaultSpec& spec) {
  nlohmann::json out{{"mode", mode_name(spec.mode)}, {"latency_ms", spec.latency.count()}};
  if (spec.status != 0) out["status"] = spec.status;
  if (!spec.retry_after.empty()) out["retry_after"] = spec.retry_after;
  if (spec.fail_first) out["fail_first"] = *spec.fail_first;
  if (spec.mode == FaultMode::flap) {
    out["up_ms"] = spec.up.count();
    out["down_ms"] = spec.down.count();
  }
  return out;
}

void FaultPlan::set(FaultSpec spec) {
  std::lock_guard lock(mutex_);
  spec_ = std::move(spec);
  set_at_ = std::chrono::steady_clock::now();
  attempts_.clear();
  down_requests_ = 0;
}

void FaultPlan::clear() { set(FaultSpec{}); }

nlohmann::json FaultPlan::describe() const {
  std::lock_guard lock(mutex_);
  return simulator_kit::describe(spec_);
}

FaultDecision FaultPlan::decide(std::string_view key) {
  std::lock_guard lock(mutex_);
  FaultDecision decision;
  decision.latency = spec_.latency;
  decision.mode = spec_.mode;
  FaultMode mode = spec_.mode;
  if (spec_.fail_first) {
    auto found = attempts_.find(key);
    if (found == attempts_.end()) found = attempts_.emplace(std::string(key), 0).first;
    if (++found->second > *spec_.fail_first) return decision;
    // "fail the first N" with no failing mode named means: fail them with an error status.
    if (mode == FaultMode::none || mode == FaultMode::slow) mode = FaultMode::error;
    decision.mode = mode;
  }
  switch (mode) {
    case FaultMode::none:
    case FaultMode::slow:
      return decision;
    case FaultMode::error:
      decision.action = FaultAction::reply;
      decision.status = spec_.status != 0 ? spec_.status : defaults_.error_status;
      decision.retry_after = spec_.retry_after;
      return decision;
    case FaultMode::rate_limit:
      decision.action = FaultAction::reply;
      decision.status = spec_.status != 0 ? spec_.status : 429;
      decision.retry_after = spec_.retry_after.empty() ? "1" : spec_.retry_after;
      return decision;
    case FaultMode::reject:
      decision.action = FaultAction::reply;
      decision.status = spec_.status != 0 ? spec_.status : defaults_.reject_status;
      return decision;
    case FaultMode::reset:
      decision.action = FaultAction::reset;
      return decision;
    case FaultMode::lost_reply:
      decision.action = FaultAction::lost_reply;
      return decision;
    case FaultMode::flap: {
      const auto cycle = spec_.up + spec_.down;
      const auto into = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - set_at_);
      if (into % cycle < spec_.up) return decision;
      // Half 503, half reset: a partner going down shows both to its clients.
      if (down_requests_++ % 2 == 0) {
        decision.action = FaultAction::reply;
        decision.status = spec_.status != 0 ? spec_.status : 503;
        decision.retry_after = spec_.retry_after;
      } else {
        decision.action = FaultAction::reset;
      }
      return decision;
    }
  }
  return decision;
}

}  // namespace knutpunkt::simulator_kit
