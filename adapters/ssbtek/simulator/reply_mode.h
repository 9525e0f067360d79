#pragma once
// Which shape the simulator's replies take. The facts (amounts, dates, codes) come from
// persons.json and are the same in both; only how they are written differs.
//   published:  every reply follows our reading of the published XSDs (schemas/ssbtek) and validates.
//   production: replies as a municipality's production client sees them from SSBTEK, departing from
//               the published contract in the ways listed in tests/fixtures/ssbtek/README.md.
#include <atomic>
#include <expected>
#include <nlohmann/json.hpp>
#include <optional>
#include <string_view>

#include "fault_fields.h"

namespace knutpunkt::ssbtek_simulator {

enum class ReplyMode { published, production };

inline constexpr simulator_kit::ModeTable<ReplyMode, 2> kReplyModes{{
    {"published", ReplyMode::published},
    {"production", ReplyMode::production},
}};

constexpr std::string_view name(ReplyMode mode) {
  return simulator_kit::name_in(kReplyModes, mode);
}
std::optional<ReplyMode> reply_mode_named(std::string_view text);

// Reads the control API's body {"mode": "published" | "production"}.
std::expected<ReplyMode, simulator_kit::FaultSpecError> parse_reply_mode(const nlohmann::json& body);

// The mode the server answers in. Set at start-up, switched through PUT /_sim/replies and put
// back to the start-up mode by DELETE; each request reads it once, so one reply is never half
// of each.
class ReplyModeSetting {
 public:
  explicit ReplyModeSetting(ReplyMode initial) : initial_(initial), current_(initial) {}
  ReplyMode get() const { return current_.load(); }
  void set(ReplyMode mode) { current_.store(mode); }
  void reset() { current_.store(initial_); }
  nlohmann::json describe() const;

 private:
  const ReplyMode initial_;
  std::atomic<ReplyMode> current_;
};

}  // namespace knutpunkt::ssbtek_simulator
