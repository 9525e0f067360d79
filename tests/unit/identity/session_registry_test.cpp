#include "identity/session_registry.h"

#include <catch2/catch.hpp>

#include <thread>

using namespace knutpunkt;

namespace {
UserConfig user(std::string id, std::set<std::string> roles) {
  return UserConfig{std::move(id), "Namn", std::move(roles), "unused"};
}
}  // namespace

TEST_CASE("a session's token names its user's principal until it is closed") {
  identity::SessionRegistry sessions;
  const auto opened = sessions.open(user("revisor", {kRoleAuditor}));
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

TEST_CASE("an admin is operator and auditor too; two sessions have different tokens") {
  identity::SessionRegistry sessions;
  const auto a = sessions.open(user("admin", {kRoleAdmin}));
  const auto b = sessions.open(user("admin", {kRoleAdmin}));
  CHECK(a.token != b.token);
  CHECK(sessions.principal(a.token)->roles == std::set<std::string>{kRoleAdmin, kRoleAuditor, kRoleOperator});
}

TEST_CASE("a session unused for the idle timeout is refused and removed; using it starts the idle time again") {
  auto now = std::chrono::system_clock::time_point{} + std::chrono::days{20000};
  identity::SessionRegistry sessions({std::chrono::minutes{15}, std::chrono::hours{8}}, [&] { return now; });
  const auto opened = sessions.open(user("revisor", {kRoleAuditor}));
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
  auto now = std::chrono::system_clock::time_point{} + std::chrono::days{20000};
  identity::SessionRegistry sessions({std::chrono::minutes{15}, std::chrono::hours{8}}, [&] { return now; });
  const auto opened = sessions.open(user("revisor", {kRoleAuditor}));
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
  auto now = std::chrono::system_clock::time_point{} + std::chrono::days{20000};
  identity::SessionRegistry sessions({std::chrono::minutes{15}, std::chrono::hours{8}}, [&] { return now; });
  const auto idle = sessions.open(user("revisor", {kRoleAuditor}));
  now += std::chrono::minutes{10};
  const auto fresh = sessions.open(user("admin", {kRoleAdmin}));
  now += std::chrono::minutes{6};
  sessions.sweep();
  CHECK(sessions.size() == 1);
  CHECK(sessions.principal(fresh.token) != nullptr);
  CHECK(sessions.principal(idle.token) == nullptr);
}
