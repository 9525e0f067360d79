#include "identity/credential_check.h"

#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "identity/password_hash.h"

using namespace knutpunkt;

namespace {

std::vector<UserConfig> one_user(const std::string& hash) {
  return {UserConfig{"revisor", "Revisor", {kRoleAuditor}, hash}};
}

}  // namespace

TEST_CASE("an unknown name costs one password verification, against a decoy as costly as a user's hash") {
  const std::string hash = identity::hash_password("revisorns-losenord", 1000).value();
  std::vector<std::string> verified_against;
  identity::CredentialCheck check(one_user(hash), [&](std::string_view password, std::string_view encoded) {
    verified_against.emplace_back(encoded);
    return identity::verify_password(password, encoded);
  });

  CHECK(check.check("nobody", "whatever-password") == nullptr);
  REQUIRE(verified_against.size() == 1);
  CHECK(verified_against[0] == check.decoy_hash());
  CHECK(identity::is_password_hash(check.decoy_hash()));
  CHECK(identity::hash_iterations(check.decoy_hash()) == identity::hash_iterations(hash));

  CHECK(check.check("revisor", "not-the-password") == nullptr);
  CHECK(check.check("revisor", "revisorns-losenord") != nullptr);
  CHECK(verified_against.size() == 3);
  CHECK(verified_against[1] == hash);
}

TEST_CASE("the decoy never lets an unknown name in, whatever verification answers") {
  // A verifier that accepts everything: the name must still exist.
  identity::CredentialCheck check(one_user(identity::hash_password("revisorns-losenord", 1000).value()),
                                  [](std::string_view, std::string_view) { return true; });
  CHECK(check.check("nobody", "anything") == nullptr);
  const UserConfig* user = check.check("revisor", "anything");
  REQUIRE(user != nullptr);
  CHECK(user->id == "revisor");
}

TEST_CASE("with several iteration counts among the users the decoy costs the most of them") {
  std::vector<UserConfig> users = one_user(identity::hash_password("revisorns-losenord", 1000).value());
  users.push_back({"admin", "Admin", {kRoleAdmin}, identity::hash_password("adminens-losenord", 2000).value()});
  identity::CredentialCheck check(users);
  CHECK(identity::hash_iterations(check.decoy_hash()) == 2000);
}
