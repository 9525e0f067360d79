#include "identity/session_registry.h"

#include <catch2/catch.hpp>

#include "store_backends.h"

using namespace knutpunkt;
using knutpunkt::conformance::BackendStore;

namespace {
UserConfig user(std::string id, std::set<std::string> roles) {
  return UserConfig{std::move(id), "Namn", std::move(roles), "unused"};
}

// Opens the session as sign-in does: its write commits (the endpoint commits it with its record).
identity::Session open_session(Store& store, const identity::SessionRegistry& sessions, const UserConfig& u) {
  identity::Session s = sessions.open(u);
  auto ok = store.commit({}, {s.put});
  INFO((ok ? std::string() : ok.error().code + ": " + ok.error().message));
  REQUIRE(ok.has_value());
  return s;
}

}  // namespace

TEST_CASE("a session's token names its user's principal until it is closed") {
  BackendStore store("sqlite");
  identity::SessionRegistry sessions(*store);
  const auto opened = open_session(*store, sessions, user("revisor", {kRoleAuditor}));
  CHECK(opened.token.size() == 64);
  const ClientConfig* principal = sessions.principal(opened.token);
  REQUIRE(principal != nullptr);
  CHECK(principal->id == "user:revisor");
  CHECK(principal->roles == std::set<std::string>{kRoleAuditor});
  CHECK(sessions.principal("not-a-token") == nullptr);
  CHECK(sessions.close(opened.token));
  CHECK_FALSE(sessions.close(opened.token));
  CHECK(sessions.principal(opened.token) == nullptr);
  // The principal handed out before stays readable for a request still in flight.
  CHECK(principal->id == "user:revisor");
}

TEST_CASE("a session is not open until its write is committed, and the token itself is never stored") {
  BackendStore store("sqlite");
  identity::SessionRegistry sessions(*store);
  const auto prepared = sessions.open(user("revisor", {kRoleAuditor}));
  CHECK(sessions.principal(prepared.token) == nullptr);
  CHECK(prepared.put.session.token_hash != prepared.token);
  CHECK(prepared.put.session.token_hash.size() == 64);
  REQUIRE(store->commit({}, {prepared.put}).has_value());
  CHECK(sessions.principal(prepared.token) != nullptr);
  CHECK_FALSE(store->session(prepared.token).value().has_value());
}

TEST_CASE("an admin is operator and auditor too; two sessions have different tokens") {
  BackendStore store("sqlite");
  identity::SessionRegistry sessions(*store);
  const auto a = open_session(*store, sessions, user("admin", {kRoleAdmin}));
  const auto b = open_session(*store, sessions, user("admin", {kRoleAdmin}));
  CHECK(a.token != b.token);
  CHECK(sessions.principal(a.token)->roles == std::set<std::string>{kRoleAdmin, kRoleAuditor, kRoleOperator});
}

TEST_CASE("a session unused for the idle timeout is refused and removed; using it starts the idle time again") {
  BackendStore store("sqlite");
  auto now = std::chrono::system_clock::time_point{} + std::chrono::days{20000};
  identity::SessionRegistry sessions(*store, {std::chrono::minutes{15}, std::chrono::hours{8}}, [&] { return now; });
  const auto opened = open_session(*store, sessions, user("revisor", {kRoleAuditor}));
  now += std::chrono::minutes{14};
  CHECK(sessions.principal(opened.token) != nullptr);
  now += std::chrono::minutes{14};  // 28 minutes after sign-in, 14 after last use
  CHECK(sessions.principal(opened.token) != nullptr);
  now += std::chrono::minutes{15};
  CHECK(sessions.principal(opened.token) == nullptr);
  CHECK(sessions.size() == 0);
  // Gone, not merely refused: going back in time does not bring it back.
  now -= std::chrono::minutes{15};
  CHECK(sessions.principal(opened.token) == nullptr);
}

TEST_CASE("a session in constant use still ends after its lifetime") {
  BackendStore store("sqlite");
  auto now = std::chrono::system_clock::time_point{} + std::chrono::days{20000};
  identity::SessionRegistry sessions(*store, {std::chrono::minutes{15}, std::chrono::hours{8}}, [&] { return now; });
  const auto opened = open_session(*store, sessions, user("revisor", {kRoleAuditor}));
  CHECK(opened.expires_at == now + std::chrono::hours{8});
  for (int i = 0; i < 47; ++i) {
    now += std::chrono::minutes{10};
    REQUIRE(sessions.principal(opened.token) != nullptr);
  }
  now += std::chrono::minutes{10};  // 480 minutes
  CHECK(sessions.principal(opened.token) == nullptr);
  CHECK(sessions.size() == 0);
}

TEST_CASE("sweeping removes the expired sessions and keeps the live ones") {
  BackendStore store("sqlite");
  auto now = std::chrono::system_clock::time_point{} + std::chrono::days{20000};
  identity::SessionRegistry sessions(*store, {std::chrono::minutes{15}, std::chrono::hours{8}}, [&] { return now; });
  const auto idle = open_session(*store, sessions, user("revisor", {kRoleAuditor}));
  now += std::chrono::minutes{10};
  const auto fresh = open_session(*store, sessions, user("admin", {kRoleAdmin}));
  now += std::chrono::minutes{6};
  sessions.sweep();
  CHECK(sessions.size() == 1);
  CHECK(sessions.principal(fresh.token) != nullptr);
  CHECK(sessions.principal(idle.token) == nullptr);
}

TEST_CASE("a busy console notes its use at most once a minute") {
  BackendStore store("sqlite");
  auto now = std::chrono::system_clock::time_point{} + std::chrono::days{20000};
  identity::SessionRegistry sessions(*store, {std::chrono::minutes{15}, std::chrono::hours{8}}, [&] { return now; });
  const auto opened = open_session(*store, sessions, user("revisor", {kRoleAuditor}));
  const auto noted = [&] { return store->session(opened.put.session.token_hash).value()->last_used_at; };
  const std::int64_t opened_at = noted();
  now += std::chrono::seconds{59};
  REQUIRE(sessions.principal(opened.token) != nullptr);
  CHECK(noted() == opened_at);
  now += std::chrono::seconds{1};
  REQUIRE(sessions.principal(opened.token) != nullptr);
  CHECK(noted() == opened_at + 60000);
  now += std::chrono::seconds{30};
  REQUIRE(sessions.principal(opened.token) != nullptr);
  CHECK(noted() == opened_at + 60000);
}

// Two gateway instances on one database: each its own store (connections) and registry.
TEST_CASE(
    "two instances: a session opened on one is valid on the other, and signed out on one is refused on the "
    "other at once") {
  STORE_BACKEND(backend);
  BackendStore a_store(backend);
  auto b_store = a_store.open_another();
  identity::SessionRegistry a(*a_store);
  identity::SessionRegistry b(*b_store);
  const auto opened = open_session(*a_store, a, user("revisor", {kRoleAuditor}));
  const ClientConfig* on_b = b.principal(opened.token);
  REQUIRE(on_b != nullptr);
  CHECK(on_b->id == "user:revisor");
  CHECK(on_b->roles == std::set<std::string>{kRoleAuditor});
  // Signed out on B, as the endpoint does it: the ending commits (with auth.signed_out).
  REQUIRE(b_store->commit({}, {identity::SessionRegistry::ending(opened.token)}).has_value());
  CHECK(a.principal(opened.token) == nullptr);
  CHECK(b.principal(opened.token) == nullptr);
}

TEST_CASE("two instances: use on one keeps the session alive on the other, and idle expiry holds on both") {
  STORE_BACKEND(backend);
  BackendStore a_store(backend);
  auto b_store = a_store.open_another();
  auto now = std::chrono::system_clock::time_point{} + std::chrono::days{20000};
  const identity::SessionTimeouts timeouts{std::chrono::minutes{15}, std::chrono::hours{8}};
  identity::SessionRegistry a(*a_store, timeouts, [&] { return now; });
  identity::SessionRegistry b(*b_store, timeouts, [&] { return now; });
  const auto opened = open_session(*a_store, a, user("revisor", {kRoleAuditor}));
  now += std::chrono::minutes{14};
  REQUIRE(b.principal(opened.token) != nullptr);  // used on B only
  now += std::chrono::minutes{14};                // 28 minutes after sign-in, 14 after B's use
  CHECK(a.principal(opened.token) != nullptr);
  now += std::chrono::minutes{15};
  CHECK(b.principal(opened.token) == nullptr);
  now -= std::chrono::minutes{15};
  CHECK(a.principal(opened.token) == nullptr);
  CHECK(a.size() == 0);
}

TEST_CASE("a restart signs no one out") {
  STORE_BACKEND(backend);
  BackendStore store(backend);
  identity::SessionRegistry before(*store);
  const auto opened = open_session(*store, before, user("revisor", {kRoleAuditor}));
  store.reopen();
  identity::SessionRegistry after(*store);
  CHECK(after.principal(opened.token) != nullptr);
}
