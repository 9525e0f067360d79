#pragma once
// The files a TLS identity is read from, as configuration names them: a certificate chain, its
// private key, and the key's password when the key is encrypted. The password comes from a file
// or an environment variable, never from the config file itself, so the config can be shared
// without it. Read one way for the gateway's own server identity and for every destination's
// client identity.
#include <filesystem>
#include <string>

#include "config/field_reader.h"

namespace knutpunkt::config {

struct KeyPairFiles {
  std::string certificate;   // PEM chain: the leaf first, then its intermediates
  std::string key;           // PEM private key, readable by its owner alone
  std::string key_password;  // empty for an unencrypted key
};

// The gateway's own TLS server (config "server.tls").
struct ServerTlsSettings {
  KeyPairFiles identity;
  // CA bundle that client certificates must chain to; empty: no client certificate is asked for.
  std::string client_ca_file;
  // Refuse the handshake without a client certificate (otherwise one is asked for, and a client
  // bound to a certificate is refused at the HTTP layer when it sends none).
  bool client_certificate_required = false;
};

// "certificate" and "key" (both or neither; `presence` says whether they may be absent),
// "key_password_file" or "key_password_env" (at most one). A password file must be readable by
// its owner alone; its trailing line break is not part of the password.
// A relative password file is found in `base_dir` (the config file's folder), as every other path
// in the config is; certificate and key paths are left as written for the caller to resolve.
void read_key_pair(FieldReader& fields, KeyPairFiles& out, Presence presence,
                   const std::filesystem::path& base_dir = {});

}  // namespace knutpunkt::config
