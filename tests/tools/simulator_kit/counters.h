#pragma once
// The request counters behind a simulator's /stats. Worker threads bump them without taking the
// lock that guards the simulator's own records, so they need no lock at all.
#include <array>
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <string_view>

namespace knutpunkt::simulator_kit {

// `Counted` is an enum with the values 0..N-1; names[i] is the /stats key of value i.
template <typename Counted, std::size_t N>
class Counters {
 public:
  explicit constexpr Counters(std::array<std::string_view, N> names) : names_(names) {}

  void add(Counted counted) { counts_[static_cast<std::size_t>(counted)].fetch_add(1, std::memory_order_relaxed); }

  void write_to(nlohmann::json& stats) const {
    for (std::size_t i = 0; i < N; ++i) stats[std::string(names_[i])] = counts_[i].load(std::memory_order_relaxed);
  }

  void reset() {
    for (auto& count : counts_) count.store(0, std::memory_order_relaxed);
  }

 private:
  std::array<std::string_view, N> names_;
  std::array<std::atomic<std::int64_t>, N> counts_{};
};

}  // namespace knutpunkt::simulator_kit
