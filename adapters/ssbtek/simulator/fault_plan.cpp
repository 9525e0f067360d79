#include "fault_plan.h"

#include <string_view>

namespace knutpunkt::ssbtek_simulator {

namespace {

constexpr std::array<std::pair<std::string_view, FaultMode>, 7> kModes{{
    {"none", FaultMode::none},
    {"error", FaultMode::error},
    {"soap_fault", FaultMode::soap_fault},
    {"drop", FaultMode::drop},
    {"malformed", FaultMode::malformed},
    {"http_500", FaultMode::http_500},
    {"avvikelse", FaultMode::avvikelse},
}};

std::string_view mode_name(FaultMode mode) {
  for (const auto& [text, value] : kModes)
    if (value == mode) return text;
  return "none";
}

}  // namespace

std::expected<SourceFault, FaultSpecError> parse_fault(const nlohmann::json& body) {
  if (!body.is_object()) return std::unexpected(FaultSpecError{"", "the body must be a JSON object"});
  SourceFault fault;
  if (body.contains("mode")) {
    if (!body["mode"].is_string()) return std::unexpected(FaultSpecError{"mode", "must be a string"});
    const auto text = body["mode"].get<std::string>();
    bool known = false;
    for (const auto& [mode_text, mode] : kModes)
      if (mode_text == text) {
        fault.mode = mode;
        known = true;
      }
    if (!known)
      return std::unexpected(
          FaultSpecError{"mode", "unknown mode; one of none, error, soap_fault, drop, malformed, http_500, avvikelse"});
  }
  if (body.contains("latency_ms")) {
    if (!body["latency_ms"].is_number_integer() || body["latency_ms"].get<std::int64_t>() < 0)
      return std::unexpected(FaultSpecError{"latency_ms", "must be a non-negative integer"});
    fault.latency = std::chrono::milliseconds{body["latency_ms"].get<std::int64_t>()};
  }
  for (const char* field : {"code", "message"}) {
    if (!body.contains(field)) continue;
    if (!body[field].is_string()) return std::unexpected(FaultSpecError{field, "must be a string"});
  }
  fault.code = body.value("code", "");
  fault.message = body.value("message", "");
  if (body.contains("count")) {
    if (!body["count"].is_number_integer() || body["count"].get<std::int64_t>() < 1)
      return std::unexpected(FaultSpecError{"count", "must be an integer of at least 1"});
    fault.remaining = body["count"].get<std::int64_t>();
  }
  return fault;
}

nlohmann::json describe(const SourceFault& fault) {
  nlohmann::json out{{"mode", mode_name(fault.mode)}, {"latency_ms", fault.latency.count()}};
  if (!fault.code.empty()) out["code"] = fault.code;
  if (!fault.message.empty()) out["message"] = fault.message;
  if (fault.remaining) out["count"] = *fault.remaining;
  return out;
}

void FaultPlan::set(Source source, SourceFault fault) {
  std::lock_guard lock(mutex_);
  faults_[source] = std::move(fault);
}

void FaultPlan::clear() {
  std::lock_guard lock(mutex_);
  faults_.clear();
}

void FaultPlan::clear(Source source) {
  std::lock_guard lock(mutex_);
  faults_.erase(source);
}

nlohmann::json FaultPlan::describe() const {
  std::lock_guard lock(mutex_);
  nlohmann::json out = nlohmann::json::object();
  for (const auto& [source, fault] : faults_) out[std::string(name(source))] = ssbtek_simulator::describe(fault);
  return out;
}

std::map<Source, SourceFault> FaultPlan::take(const std::vector<Source>& sources) {
  std::lock_guard lock(mutex_);
  std::map<Source, SourceFault> applying;
  for (Source source : sources) {
    auto found = faults_.find(source);
    if (found == faults_.end()) continue;
    applying.emplace(source, found->second);
    if (found->second.remaining && --*found->second.remaining <= 0) faults_.erase(found);
  }
  return applying;
}

void RequestStats::count_operation(const std::string& operation) {
  std::lock_guard lock(mutex_);
  ++total_;
  ++by_operation_[operation];
}

void RequestStats::count_sources(const std::vector<Source>& sources) {
  std::lock_guard lock(mutex_);
  for (Source source : sources) ++by_source_[static_cast<std::size_t>(source)];
}

void RequestStats::count_fault(Source source) {
  std::lock_guard lock(mutex_);
  ++faults_applied_[static_cast<std::size_t>(source)];
}

void RequestStats::reset() {
  std::lock_guard lock(mutex_);
  total_ = 0;
  by_operation_.clear();
  by_source_.fill(0);
  faults_applied_.fill(0);
}

nlohmann::json RequestStats::snapshot() const {
  std::lock_guard lock(mutex_);
  nlohmann::json by_source = nlohmann::json::object();
  nlohmann::json faults = nlohmann::json::object();
  for (Source source : kSources) {
    by_source[std::string(name(source))] = by_source_[static_cast<std::size_t>(source)];
    faults[std::string(name(source))] = faults_applied_[static_cast<std::size_t>(source)];
  }
  nlohmann::json by_operation = nlohmann::json::object();
  for (const auto& [operation, count] : by_operation_) by_operation[operation] = count;
  return {
      {"requests_total", total_}, {"by_operation", by_operation}, {"by_source", by_source}, {"faults_applied", faults}};
}

}  // namespace knutpunkt::ssbtek_simulator
