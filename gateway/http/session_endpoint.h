#pragma once
// Console sign-in: POST /v1/auth/session {"username","password"} -> 201 with a bearer token for
// the session; DELETE /v1/auth/session signs out. Audited (auth.signed_in, auth.refused,
// auth.signed_out, auth.locked, auth.unlocked): who could act as an auditor, and when, is itself
// something auditors check.
//
// Guessing is held back by two budgets of failures per window (identity/sign_in_throttle.h): one
// per user name, unknown names too, and one per remote address across all names. An attempt is
// taken from both before its password is checked, so guesses sent at once cannot all be tried;
// a spent budget answers 429 with Retry-After, whatever the password. Sessions and budgets are in
// the database, shared by every gateway instance on it. Password hashing is slow
// on purpose, so it runs off the server's threads, and it runs for unknown names too
// (identity/credential_check.h).
#include <boost/asio/thread_pool.hpp>
#include <string>
#include <vector>

#include "audit/audit_log.h"
#include "config/gateway_config.h"
#include "http/exchange.h"
#include "http/message.h"
#include "identity/credential_check.h"
#include "identity/session_registry.h"
#include "identity/sign_in_throttle.h"

namespace knutpunkt::http {

class SessionEndpoint {
 public:
  SessionEndpoint(identity::SessionRegistry& sessions, SessionStore& budgets, AuditLog& audit,
                  const std::vector<UserConfig>& users, const SignInSettings& settings = {},
                  identity::WallClock clock = {}, identity::CredentialCheck::Verifier verify = {});
  ~SessionEndpoint();

  // Guard: anyone (signing in is how a user gets a token).
  void sign_in(Exchange exchange);
  void sign_out(Exchange exchange);
  // Lifts the locks whose window has passed (audited) and removes expired sessions, so that
  // happens when it is due rather than at the next sign-in.
  void sweep();

 private:
  void check_password(Exchange exchange, const identity::Reservation& reservation, const std::string& password);
  void refuse_throttled(Exchange exchange, const identity::ThrottleRefusal& refusal);
  void open_session(Exchange exchange, const UserConfig& user);
  void audit_throttle_events();

  identity::SessionRegistry& sessions_;
  AuditLog& audit_;
  identity::CredentialCheck credentials_;
  identity::SignInThrottle throttle_;
  boost::asio::thread_pool hashing_{1};
};

}  // namespace knutpunkt::http
