#include "audit_review/chain_monitor.h"

#include "audit_review/retention.h"
#include "core/clock.h"
#include "log/log.h"

namespace knutpunkt::audit_review {

ChainMonitor::~ChainMonitor() {
  if (worker_.joinable()) worker_.join();
}

ChainStatus ChainMonitor::status() const {
  std::lock_guard lock(mutex_);
  return status_;
}

ChainStatus ChainMonitor::check() {
  std::lock_guard lock(mutex_);
  if (status_.state == "checking") return status_;
  if (worker_.joinable()) worker_.join();  // the previous check has finished (state is not "checking")
  status_.state = "checking";
  worker_ = std::thread([this] {
    // One hashing thread: the check runs beside the gateway's own work, which must keep its
    // cores; the command-line verifier, run on its own, takes every core.
    VerifyOptions options;
    options.hash_workers = 1;
    auto report = verify_chain(store_, std::nullopt, options);
    std::lock_guard done(mutex_);
    if (report) {
      status_.checkpoint_signature_valid.reset();
      if (report->checkpoint) {
        status_.checkpoint_signature_valid = key_ && checkpoint_signature_valid(*report->checkpoint, *key_);
      }
      status_.report = *report;
      status_.checked_at = now_utc();
      status_.state = "done";
      status_.error.clear();
      if (!report->intact()) log::error("audit.chain_broken", {{"seq", report->first_problem->seq}});
      if (status_.checkpoint_signature_valid == false) log::error("audit.checkpoint_signature_invalid");
    } else {
      status_.state = "failed";
      status_.error = report.error().message;
    }
  });
  return status_;
}

}  // namespace knutpunkt::audit_review
