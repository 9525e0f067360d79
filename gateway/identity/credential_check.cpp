#include "identity/credential_check.h"

#include <algorithm>

#include "identity/password_hash.h"

namespace knutpunkt::identity {

namespace {

// A hash no password is expected to match (an all-zero derived key), costing what the users'
// hashes cost. When users differ in iterations the highest is taken, so an unknown name is never
// the fastest answer.
std::string make_decoy(const std::vector<UserConfig>& users) {
  int iterations = 0;
  for (const UserConfig& u : users) iterations = std::max(iterations, hash_iterations(u.password_hash).value_or(0));
  if (iterations == 0) iterations = kDefaultIterations;
  return "pbkdf2-sha256$" + std::to_string(iterations) + "$" + std::string(32, '0') + "$" + std::string(64, '0');
}

}  // namespace

CredentialCheck::CredentialCheck(const std::vector<UserConfig>& users, Verifier verify)
    : decoy_(make_decoy(users)), verify_(verify ? std::move(verify) : Verifier(verify_password)) {
  for (const UserConfig& u : users) users_.emplace(u.id, u);
}

const UserConfig* CredentialCheck::check(std::string_view username, std::string_view password) const {
  const auto user = users_.find(username);
  const bool known = user != users_.end();
  // Verified before `known` is looked at, so an unknown name costs one verification too.
  const bool matches = verify_(password, known ? user->second.password_hash : decoy_);
  return known && matches ? &user->second : nullptr;
}

}  // namespace knutpunkt::identity
