#include "http/session_endpoint.h"

#include <boost/asio/post.hpp>

#include "core/clock.h"
#include "http/client_auth.h"
#include "http/problem.h"
#include "http/request_fields.h"
#include "log/log.h"

namespace knutpunkt::http {

namespace bhttp = boost::beast::http;

namespace {

identity::WallClock or_system_clock(identity::WallClock clock) {
  if (clock) return clock;
  return [] { return std::chrono::system_clock::now(); };
}

}  // namespace

SessionEndpoint::SessionEndpoint(identity::SessionRegistry& sessions, SessionStore& budgets, AuditLog& audit,
                                 const std::vector<UserConfig>& users, const SignInSettings& settings,
                                 identity::WallClock clock, identity::CredentialCheck::Verifier verify)
    : sessions_(sessions),
      audit_(audit),
      credentials_(users, std::move(verify)),
      throttle_(budgets, settings, or_system_clock(std::move(clock))) {}

SessionEndpoint::~SessionEndpoint() {
  hashing_.join();
}

void SessionEndpoint::sign_in(Exchange exchange) {
  const auto parsed = exchange.json_object();
  if (!parsed) return;
  const nlohmann::json& body = *parsed;
  std::vector<InvalidParam> invalid;
  refuse_unknown_fields(body, "", {"username", "password"}, invalid);
  const std::string username = read_text(body, "username", "username", true, invalid, 64);
  const std::string password = read_text(body, "password", "password", true, invalid, 200);
  if (!invalid.empty()) {
    return exchange.refuse(
        {400, "invalid_request", "Invalid sign-in", "one or more fields are invalid", std::move(invalid), {}});
  }
  exchange.audit_context()["username"] = username;
  // The attempt is taken before the password is checked: a guess in flight already counts.
  const auto reservation = throttle_.reserve(username, exchange.remote_address());
  audit_throttle_events();
  if (!reservation && reservation.error().unavailable) {
    return exchange.audit_unavailable("the sign-in attempt could not be counted and was not checked");
  }
  if (!reservation) return refuse_throttled(std::move(exchange), reservation.error());
  boost::asio::post(hashing_, [this, reservation = *reservation, password, exchange]() mutable {
    check_password(std::move(exchange), reservation, password);
  });
}

void SessionEndpoint::check_password(Exchange exchange, const identity::Reservation& reservation,
                                     const std::string& password) {
  const UserConfig* user = credentials_.check(reservation.username, password);
  if (user == nullptr) {
    throttle_.failed(reservation);
    audit_throttle_events();
    return exchange.refuse({401, "invalid_credentials", "Sign-in failed", "wrong user name or password", {}, {}});
  }
  throttle_.succeeded(reservation);
  audit_throttle_events();
  open_session(std::move(exchange), *user);
}

void SessionEndpoint::open_session(Exchange exchange, const UserConfig& user) {
  identity::Session session = sessions_.open(user);
  nlohmann::json roles(session.principal.roles);
  const std::string expires_at = format_utc(session.expires_at);
  nlohmann::json answer = {{"token", session.token},
                           {"user", {{"id", user.id}, {"name", user.name}, {"roles", roles}}},
                           {"expires_at", expires_at}};
  // The session is stored with its record or not at all: one nobody can account for never opens.
  audit_.append(
      "auth.signed_in",
      {{"user", user.id}, {"roles", roles}, {"expires_at", expires_at}, {"remote_address", exchange.remote_address()}},
      {std::move(session.put)},
      [answer = std::move(answer), exchange](std::expected<AuditReceipt, StoreError> receipt) mutable {
        if (!receipt) return exchange.audit_unavailable("the session was not opened");
        // Who signed in is in the audit record; the application log keeps only where to find it.
        log::info("auth.signed_in", {{"audit_seq", receipt->seq}});
        exchange.reply(make_json_response(201, answer));
      });
}

// Exchange::refuse with the Retry-After a client needs to know when to try again (RFC 9110
// 10.2.3); the record is the same generic refusal, with which budget was spent.
void SessionEndpoint::refuse_throttled(Exchange exchange, const identity::ThrottleRefusal& refusal) {
  const std::string detail = refusal.scope == identity::ThrottleScope::address
                                 ? "sign-ins from this address are refused for a while after repeated failures"
                                 : "this user name is locked for a while after repeated failures";
  Problem problem{429, "too_many_attempts", "Too many failed sign-ins", detail, {}, {}};
  nlohmann::json record = exchange.audit_context();
  record["outcome"] = "refused";
  record["status"] = problem.status;
  record["code"] = problem.code;
  record["limit"] = identity::to_string(refusal.scope);
  log::info("auth.refused", {{"status", problem.status}, {"code", problem.code}});
  audit_.append("auth.refused", std::move(record),
                [exchange, problem = std::move(problem),
                 retry_after = refusal.retry_after](std::expected<AuditReceipt, StoreError> receipt) mutable {
                  if (!receipt) {
                    return exchange.audit_unavailable("the request could not be audited and was not processed");
                  }
                  Response response = make_problem_response(problem);
                  response.set(bhttp::field::retry_after, std::to_string(retry_after.count()));
                  exchange.reply(std::move(response));
                });
}

// A lock and its lifting are records of their own: an auditor sees that a name or an address was
// under attack even when no refusal followed. The user name is recorded as the sign-in refusals
// record it; the application log says only which budget and where the record is.
void SessionEndpoint::audit_throttle_events() {
  for (identity::ThrottleEvent& event : throttle_.take_events()) {
    const bool locked = event.kind == identity::ThrottleEvent::Kind::locked;
    const std::string kind = locked ? "auth.locked" : "auth.unlocked";
    const std::string limit(identity::to_string(event.scope));
    nlohmann::json record = {{"limit", limit}, {"remote_address", event.remote_address}, {"at", format_utc(event.at)}};
    // A lock a sweep lifted names the user name's keyed hash: only that is stored.
    if (event.scope == identity::ThrottleScope::user) {
      if (event.key.empty()) {
        record["username_hmac"] = event.key_hash;
      } else {
        record["username"] = event.key;
        record["username_hmac"] = event.key_hash;
      }
    }
    if (locked) {
      record["until"] = format_utc(event.until);
    } else {
      record["reason"] = event.reason;
    }
    audit_.append(kind, std::move(record), [kind, limit](std::expected<AuditReceipt, StoreError> receipt) {
      if (!receipt) return log::warn(kind + "_unaudited", {{"limit", limit}, {"code", receipt.error().code}});
      log::info(kind, {{"limit", limit}, {"audit_seq", receipt->seq}});
    });
  }
}

void SessionEndpoint::sweep() {
  throttle_.sweep();
  audit_throttle_events();
  sessions_.sweep();
}

void SessionEndpoint::sign_out(Exchange exchange) {
  const std::string token(ClientAuth::bearer_token(to_std(exchange.request()[bhttp::field::authorization])));
  const ClientConfig* principal = token.empty() ? nullptr : sessions_.principal(token);
  if (principal == nullptr) {
    exchange.audit_context()["operation"] = "sign_out";
    return exchange.refuse({401, "unauthenticated", "Authentication required", {}, {}, {}});
  }
  const std::string who = principal->id;
  // The session ends with its record, on every instance at once. Should the record not be
  // written, it ends all the same: signed out is the safe direction.
  audit_.append("auth.signed_out", {{"user", who}, {"remote_address", exchange.remote_address()}},
                {identity::SessionRegistry::ending(token)},
                [this, token, exchange](std::expected<AuditReceipt, StoreError> receipt) mutable {
                  if (!receipt) sessions_.close(token);
                  exchange.reply(Response{bhttp::status::no_content, 11});
                });
}

}  // namespace knutpunkt::http
