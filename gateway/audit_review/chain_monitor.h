#pragma once
// Keeps the answer to "is the log intact?" at hand. Verifying a multi-year chain takes minutes,
// so it runs on its own thread, started on request (at most one at a time), and the latest
// result is what the console shows, with when it was taken.
#include <mutex>
#include <optional>
#include <string>
#include <thread>

#include "audit/audit_verifier.h"
#include "audit_export/signing_key.h"
#include "store/store.h"

namespace knutpunkt::audit_review {

struct ChainStatus {
  std::string state = "never_checked";  // never_checked | checking | done | failed
  std::optional<VerifyReport> report;   // the latest completed check
  std::string checked_at;               // when that check finished
  std::string error;                    // why the latest check could not run (failed)
  // With a retention checkpoint: whether the gateway's key signed it. A chain that links but
  // rests on an unsigned checkpoint is not intact.
  std::optional<bool> checkpoint_signature_valid;
  bool intact() const { return report && report->intact() && checkpoint_signature_valid.value_or(true); }
};

class ChainMonitor {
 public:
  // `key` checks retention checkpoints' signatures (the public half of the gateway's signing key).
  ChainMonitor(Store& store, std::optional<audit_export::VerifyingKey> key) : store_(store), key_(std::move(key)) {}
  ~ChainMonitor();
  ChainMonitor(const ChainMonitor&) = delete;
  ChainMonitor& operator=(const ChainMonitor&) = delete;

  ChainStatus status() const;
  // Starts a check unless one is running. Returns the status right after.
  ChainStatus check();

 private:
  Store& store_;
  std::optional<audit_export::VerifyingKey> key_;
  mutable std::mutex mutex_;
  ChainStatus status_;
  std::thread worker_;
};

}  // namespace knutpunkt::audit_review
