#pragma once
// Fault injection per source, set through the control API (PUT /_sim/faults/{SOURCE}), and the
// request counters behind GET /_sim/stats. Both are shared by the server's worker threads.
// The modes here act on SOAP replies and are counted down per request, unlike the HTTP-level
// simulator_kit::FaultPlan; only the reading of the control body's fields is shared with it.
#include <array>
#include <chrono>
#include <cstdint>
#include <expected>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "fault_fields.h"
#include "source.h"

namespace knutpunkt::ssbtek_simulator {

enum class FaultMode {
  none,        // only latency, if any
  error,       // the source answers an ssbt:error (kalla BT) instead of data
  soap_fault,  // the whole request is answered with a SOAP Fault, HTTP 500
  drop,        // the connection closes after the headers, without a body
  malformed,   // a truncated, not well-formed envelope with HTTP 200
  http_500,    // HTTP 500 with a text/plain body
  avvikelse,   // FK only: LEFI reports an avvikelse for the group in `code` and leaves its data out
};

struct SourceFault {
  FaultMode mode = FaultMode::none;
  std::chrono::milliseconds latency{0};
  // An error SSBTEK itself writes for the source (kalla SSBT), e.g. when the source did not answer
  // within SSBTEK's own deadline; set by the server, not through the control API.
  bool from_ssbtek = false;
  std::string code;
  std::string message;
  std::optional<std::int64_t> remaining;  // requests left; nullopt = until cleared
};

using simulator_kit::FaultSpecError;

// Reads the control API's JSON body: {"mode","latency_ms","code","message","count"}.
std::expected<SourceFault, FaultSpecError> parse_fault(const nlohmann::json& body);
nlohmann::json describe(const SourceFault& fault);

class FaultPlan {
 public:
  void set(Source source, SourceFault fault);
  void clear();
  void clear(Source source);
  nlohmann::json describe() const;

  // The faults that apply to one request touching `sources`. Each applying fault uses up one of
  // its counted requests, so {"count":1} hits exactly the next request that includes the source.
  std::map<Source, SourceFault> take(const std::vector<Source>& sources);

 private:
  mutable std::mutex mutex_;
  std::map<Source, SourceFault> faults_;
};

class RequestStats {
 public:
  void count_operation(const std::string& operation);
  void count_sources(const std::vector<Source>& sources);
  void count_fault(Source source);
  void reset();
  nlohmann::json snapshot() const;

 private:
  mutable std::mutex mutex_;
  std::int64_t total_ = 0;
  std::map<std::string, std::int64_t> by_operation_;
  std::array<std::int64_t, kSources.size()> by_source_{};
  std::array<std::int64_t, kSources.size()> faults_applied_{};
};

}  // namespace knutpunkt::ssbtek_simulator
