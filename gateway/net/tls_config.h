#pragma once
// The "tls" object that sits next to every partner endpoint and webhook URL, read one way:
//
//   "tls": {"ca_file": "ca/ssbtek-ca.pem", "certificate": "certs/kommun.pem", "key": "certs/kommun.key",
//           "key_password_file": "certs/kommun.pass", "server_name": "ssbtek.example"}
//
// An https endpoint must have it (at least ca_file: the partner is verified against its own CA
// bundle, never the system's); a plain one may not, so a config never reads as if it were
// protected when it is not. Schema: "$defs/tls" in schemas/config.schema.json.
#include <expected>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>

#include "config/field_reader.h"
#include "core/config_error.h"
#include "net/tls_profile.h"

namespace knutpunkt::net {

class HttpClient;

// Reads `f`'s "tls" for the endpoint `url` (as configured). Paths resolve against `base_dir`. The
// key, and a password file, must be readable by their owner alone (core/private_file.h).
void read_tls(FieldReader& f, const std::string& url, const std::filesystem::path& base_dir,
              std::optional<TlsSettings>& out);

// The profile for `settings` (nullptr when there are none), loaded through `http` so destinations
// with the same files share one; a file that cannot be loaded is an error at `tls_pointer`.
std::expected<std::shared_ptr<TlsProfile>, ConfigError> load_tls_profile(HttpClient& http,
                                                                         const std::string& tls_pointer,
                                                                         const std::optional<TlsSettings>& settings);

}  // namespace knutpunkt::net
