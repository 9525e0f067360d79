#include "core/ids.h"

#include <openssl/rand.h>
#include <pthread.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <mutex>
#include <span>
#include <stdexcept>

#include "core/hex.h"

namespace knutpunkt {
namespace {

// Random bytes drawn from OpenSSL a few hundred at a time: one RAND_bytes call per id cost more
// than the rest of the id (its locking and fork check), and an answer to one lookup makes dozens.
// A forked child must not hand out its parent's unused bytes, so a fork empties every pool.
std::atomic<unsigned> fork_generation{0};

class RandomPool {
 public:
  void take(std::span<unsigned char> out) {
    const unsigned generation = fork_generation.load(std::memory_order_relaxed);
    if (generation != generation_ || used_ + out.size() > bytes_.size()) refill(generation);
    std::copy_n(bytes_.begin() + static_cast<std::ptrdiff_t>(used_), out.size(), out.begin());
    // Handed out once: the copy in the pool is no longer needed and should not linger.
    std::fill_n(bytes_.begin() + static_cast<std::ptrdiff_t>(used_), out.size(), 0);
    used_ += out.size();
  }

 private:
  void refill(unsigned generation) {
    static std::once_flag registered;
    // A throw leaves the flag unset, so the next id tries again rather than go unprotected.
    std::call_once(registered, [] {
      if (pthread_atfork(nullptr, nullptr, [] { fork_generation.fetch_add(1, std::memory_order_relaxed); }) != 0) {
        throw std::runtime_error("pthread_atfork failed");
      }
    });
    if (RAND_bytes(bytes_.data(), static_cast<int>(bytes_.size())) != 1) {
      throw std::runtime_error("OpenSSL RAND_bytes failed");  // no entropy: nothing sensible to do
    }
    used_ = 0;
    generation_ = generation;
  }

  std::array<unsigned char, 512> bytes_{};
  std::size_t used_ = bytes_.size();
  unsigned generation_ = 0;
};

}  // namespace

std::string new_uuid() {
  thread_local RandomPool pool;
  std::array<unsigned char, 16> b{};
  pool.take(std::span(b).subspan(6));
  const auto ms = static_cast<std::uint64_t>(
      std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
          .count());
  for (int i = 0; i < 6; ++i) b[static_cast<std::size_t>(i)] = static_cast<unsigned char>(ms >> (8 * (5 - i)));
  b[6] = static_cast<unsigned char>((b[6] & 0x0F) | 0x70);
  b[8] = static_cast<unsigned char>((b[8] & 0x3F) | 0x80);
  const std::string hex = hex_encode(b);
  std::string out;
  out.reserve(36);
  out.append(hex, 0, 8).append(1, '-').append(hex, 8, 4).append(1, '-').append(hex, 12, 4).append(1, '-');
  out.append(hex, 16, 4).append(1, '-').append(hex, 20, 12);
  return out;
}

}  // namespace knutpunkt
