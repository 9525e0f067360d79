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

TEST_CASE("a session expires after its lifetime") {
  identity::SessionRegistry sessions(std::chrono::minutes{0});
  const auto opened = sessions.open(user("revisor", {kRoleAuditor}));
  CHECK(sessions.principal(opened.token) == nullptr);
}
