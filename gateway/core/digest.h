#pragma once
#include <string>
#include <string_view>

struct evp_md_st;

namespace knutpunkt {

// SHA-256 as OpenSSL's default provider implements it, fetched once for the process, for
// digests taken per record or per request: given EVP_sha256() instead, OpenSSL 3 looks the
// implementation up again on each digest, behind a process-wide lock that every hashing thread
// then queues on.
const evp_md_st* sha256_algorithm();

// Lower-case hex SHA-256 of the bytes (OpenSSL EVP).
std::string sha256_hex(std::string_view bytes);

// Lower-case hex HMAC-SHA256 (RFC 2104) of the bytes under `key`.
std::string hmac_sha256_hex(std::string_view key, std::string_view bytes);

// Compares two strings in time independent of where they differ (for secrets such as tokens).
bool constant_time_equal(std::string_view a, std::string_view b);

}  // namespace knutpunkt
