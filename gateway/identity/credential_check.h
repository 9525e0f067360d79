#pragma once
// Whether a user name and password belong together, at the same cost whether or not the name
// exists: an unknown name is verified against a decoy hash with the users' own iteration count,
// so neither the answer nor its time tells which names exist. Exactly one verification runs for
// every check.
#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "config/client_config.h"

namespace knutpunkt::identity {

class CredentialCheck {
 public:
  // Verifies a password against an encoded hash (identity/password_hash.h's verify_password);
  // injectable so tests can count the verifications.
  using Verifier = std::function<bool(std::string_view password, std::string_view encoded)>;

  explicit CredentialCheck(const std::vector<UserConfig>& users, Verifier verify = {});

  // The user when the password is theirs; nullptr for a wrong password or an unknown name.
  const UserConfig* check(std::string_view username, std::string_view password) const;

  // The hash an unknown name is verified against (well formed, so it costs a full verification).
  const std::string& decoy_hash() const { return decoy_; }

 private:
  std::map<std::string, UserConfig, std::less<>> users_;
  std::string decoy_;
  Verifier verify_;
};

}  // namespace knutpunkt::identity
