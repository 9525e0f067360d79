#include "source_faults.h"

namespace knutpunkt::ssbtek_simulator {

namespace {

constexpr simulator_kit::ModeTable<FaultMode, 7> kModes{{
    {"none", FaultMode::none},
    {"error", FaultMode::error},
    {"soap_fault", FaultMode::soap_fault},
    {"drop", FaultMode::drop},
    {"malformed", FaultMode::malformed},
    {"http_500", FaultMode::http_500},
    {"avvikelse", FaultMode::avvikelse},
}};

}  // namespace

std::expected<SourceFault, FaultSpecError> parse_fault(const nlohmann::json& body) {
  if (auto object = simulator_kit::require_object(body); !object) return std::unexpected(object.error());
  SourceFault fault;
  auto mode = simulator_kit::read_mode(body, kModes);
  if (!mode) return std::unexpected(mode.error());
  fault.mode = mode->value_or(FaultMode::none);
  auto latency = simulator_kit::integer_field(body, "latency_ms", 0);
  if (!latency) return std::unexpected(latency.error());
  fault.latency = std::chrono::milliseconds{latency->value_or(0)};
  auto code = simulator_kit::string_field(body, "code");
  if (!code) return std::unexpected(code.error());
  auto message = simulator_kit::string_field(body, "message");
  if (!message) return std::unexpected(message.error());
  fault.code = code->value_or("");
  fault.message = message->value_or("");
  auto count = simulator_kit::integer_field(body, "count", 1);
  if (!count) return std::unexpected(count.error());
  fault.remaining = *count;
  return fault;
}

nlohmann::json describe(const SourceFault& fault) {
  nlohmann::json out{{"mode", simulator_kit::name_in(kModes, fault.mode)}, {"latency_ms", fault.latency.count()}};
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
