#include "http/session_endpoint.h"

#include <boost/asio/post.hpp>

#include "core/clock.h"
#include "http/client_auth.h"
#include "http/problem.h"
#include "http/request_fields.h"
#include "identity/password_hash.h"
#include "log/log.h"

namespace knutpunkt::http {

namespace bhttp = boost::beast::http;

namespace {

// Verified against when the user does not exist, so an unknown name takes as long as a wrong
// password and the answer time does not tell which names exist.
const std::string& decoy_hash() {
  static const std::string hash = identity::hash_password("decoy-password-never-valid").value_or("");
  return hash;
}

}  // namespace

SessionEndpoint::SessionEndpoint(identity::SessionRegistry& sessions, AuditLog& audit, const std::vector<UserConfig>& users)
    : sessions_(sessions), audit_(audit) {
  for (const UserConfig& u : users) users_[u.id] = u;
}

SessionEndpoint::~SessionEndpoint() { hashing_.join(); }

void SessionEndpoint::sign_in(Exchange exchange) {
  const auto parsed = exchange.json_object();
  if (!parsed) return;
  const nlohmann::json& body = *parsed;
  std::vector<InvalidParam> invalid;
  refuse_unknown_fields(body, "", {"username", "password"}, invalid);
  const std::string username = read_text(body, "username", "username", true, invalid, 64);
  const std::string password = read_text(body, "password", "password", true, invalid, 200);
  if (!invalid.empty()) {
    return exchange.refuse({400, "invalid_request", "Invalid sign-in", "one or more fields are invalid", std::move(invalid), {}});
  }
  exchange.audit_context()["username"] = username;
  if (locked_out(username)) {
    return exchange.refuse({429, "too_many_attempts", "Too many failed sign-ins",
                   "this user name is locked for a while after repeated failures", {}, {}});
  }
  const auto user = users_.find(username);
  const std::string hash = user == users_.end() ? decoy_hash() : user->second.password_hash;
  boost::asio::post(hashing_, [this, username, password, hash, known = user != users_.end(), exchange]() mutable {
    if (!known || !identity::verify_password(password, hash)) {
      count_failure(username);
      return exchange.refuse({401, "invalid_credentials", "Sign-in failed", "wrong user name or password", {}, {}});
    }
    const UserConfig& u = users_.at(username);
    identity::Session session = sessions_.open(u);
    nlohmann::json roles(session.principal.roles);
    const std::string expires_at = format_utc(session.expires_at);
    nlohmann::json answer = {{"token", session.token},
                             {"user", {{"id", u.id}, {"name", u.name}, {"roles", roles}}},
                             {"expires_at", expires_at}};
    audit_.append("auth.signed_in",
                  {{"user", u.id}, {"roles", roles}, {"expires_at", expires_at}, {"remote_address", exchange.remote_address()}},
                  [this, token = session.token, answer = std::move(answer),
                   exchange](std::expected<AuditReceipt, StoreError> receipt) mutable {
                    if (!receipt) {
                      sessions_.close(token);  // a session nobody can account for is not opened
                      return exchange.audit_unavailable("the session was not opened");
                    }
                    // Who signed in is in the audit record; the application log keeps only where to find it.
                    log::info("auth.signed_in", {{"audit_seq", receipt->seq}});
                    exchange.reply(make_json_response(201, answer));
                  });
  });
}

bool SessionEndpoint::locked_out(const std::string& username) {
  const auto now = std::chrono::steady_clock::now();
  std::lock_guard lock(failures_mutex_);
  auto it = failures_.find(username);
  if (it == failures_.end()) return false;
  while (!it->second.empty() && now - it->second.front() > kFailureWindow) it->second.pop_front();
  if (it->second.empty()) {
    failures_.erase(it);
    return false;
  }
  return static_cast<int>(it->second.size()) >= kMaxFailures;
}

void SessionEndpoint::count_failure(const std::string& username) {
  std::lock_guard lock(failures_mutex_);
  failures_[username].push_back(std::chrono::steady_clock::now());
}

void SessionEndpoint::sign_out(Exchange exchange) {
  const std::string token(ClientAuth::bearer_token(to_std(exchange.request()[bhttp::field::authorization])));
  const ClientConfig* principal = token.empty() ? nullptr : sessions_.principal(token);
  if (principal == nullptr) {
    exchange.audit_context()["operation"] = "sign_out";
    return exchange.refuse({401, "unauthenticated", "Authentication required", {}, {}, {}});
  }
  const std::string who = principal->id;
  sessions_.close(token);
  // Signed out whether or not the record could be written: the session is gone either way.
  audit_.append("auth.signed_out", {{"user", who}, {"remote_address", exchange.remote_address()}},
                [exchange](std::expected<AuditReceipt, StoreError>) mutable {
                  exchange.reply(Response{bhttp::status::no_content, 11});
                });
}

}  // namespace knutpunkt::http
