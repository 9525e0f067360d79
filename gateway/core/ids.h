#pragma once
#include <string>

namespace knutpunkt {

// Random (version 4) UUID from OpenSSL's CSPRNG: ids must not be guessable, since
// a lookup id is enough to find a record in the audit log.
std::string new_uuid();

}  // namespace knutpunkt
