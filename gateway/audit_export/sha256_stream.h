#pragma once
#include <memory>
#include <string>
#include <string_view>

namespace knutpunkt::audit_export {

// SHA-256 over bytes fed in pieces, so an export of any size is hashed while it is written or
// read, never held whole in memory.
class Sha256Stream {
 public:
  Sha256Stream();
  ~Sha256Stream();
  Sha256Stream(const Sha256Stream&) = delete;
  Sha256Stream& operator=(const Sha256Stream&) = delete;

  void update(std::string_view bytes);
  // Lower-case hex. Ends the stream: call once.
  std::string finish_hex();

 private:
  struct State;
  std::unique_ptr<State> state_;
};

}  // namespace knutpunkt::audit_export
