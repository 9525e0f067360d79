#pragma once
// Console sign-in: POST /v1/auth/session {"username","password"} -> 201 with a bearer token for
// the session; DELETE /v1/auth/session signs out. Both audited (auth.signed_in, auth.refused,
// auth.signed_out): who could act as an auditor, and when, is itself something auditors check.
// Password hashing is slow on purpose, so it runs off the server's threads. A name that fails
// kMaxFailures times within kFailureWindow is refused (429) until the window has passed, whatever
// password comes next: guessing is slowed to a handful of tries per quarter hour.
#include <boost/asio/thread_pool.hpp>
#include <chrono>
#include <deque>
#include <map>
#include <mutex>
#include <string>

#include "audit/audit_log.h"
#include "config/gateway_config.h"
#include "http/exchange.h"
#include "http/message.h"
#include "identity/session_registry.h"

namespace knutpunkt::http {

class SessionEndpoint {
 public:
  static constexpr int kMaxFailures = 5;
  static constexpr std::chrono::minutes kFailureWindow{15};

  SessionEndpoint(identity::SessionRegistry& sessions, AuditLog& audit, const std::vector<UserConfig>& users);
  ~SessionEndpoint();

  // Guard: anyone (signing in is how a user gets a token).
  void sign_in(Exchange exchange);
  void sign_out(Exchange exchange);

 private:
  identity::SessionRegistry& sessions_;
  AuditLog& audit_;
  // True (and the attempt not counted) when `username` is locked out now.
  bool locked_out(const std::string& username);
  void count_failure(const std::string& username);

  std::map<std::string, UserConfig> users_;
  std::mutex failures_mutex_;
  std::map<std::string, std::deque<std::chrono::steady_clock::time_point>> failures_;  // by name, unknown ones too
  boost::asio::thread_pool hashing_{1};
};

}  // namespace knutpunkt::http
