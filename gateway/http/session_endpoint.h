#pragma once
// Console sign-in: POST /v1/auth/session {"username","password"} -> 201 with a bearer token for
// the session; DELETE /v1/auth/session signs out. Both audited (auth.signed_in, auth.refused,
// auth.signed_out): who could act as an auditor, and when, is itself something auditors check.
// Password hashing is slow on purpose, so it runs off the server's threads.
#include <boost/asio/thread_pool.hpp>
#include <map>
#include <string>

#include "audit/audit_log.h"
#include "config/gateway_config.h"
#include "http/server.h"
#include "identity/session_registry.h"

namespace knutpunkt::http {

class SessionEndpoint {
 public:
  SessionEndpoint(identity::SessionRegistry& sessions, AuditLog& audit, const std::vector<UserConfig>& users);
  ~SessionEndpoint();

  void sign_in(Request&& request, const RequestContext& context, Reply reply);
  void sign_out(Request&& request, const RequestContext& context, Reply reply);

 private:
  identity::SessionRegistry& sessions_;
  AuditLog& audit_;
  std::map<std::string, UserConfig> users_;
  boost::asio::thread_pool hashing_{1};
};

}  // namespace knutpunkt::http
