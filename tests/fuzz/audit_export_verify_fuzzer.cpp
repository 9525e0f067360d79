// The offline verifier of an audit export (`knutpunkt audit verify --export`), which an auditor
// runs on files that may have passed through anyone's hands. Input: the manifest's text, a line
// "====", then the export's bytes (JSON lines or CSV).
//
// The manifest is checked twice: once as given (the signature path), and once re-signed with
// this target's own key, so the fuzzer gets past the signature to the manifest's fields and the
// record-by-record walk. A manifest re-signed here must never read as "signature_invalid": that
// would mean the verifier and the signer disagree on the bytes a signature covers.
#include <openssl/evp.h>

#include <array>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <sstream>
#include <string>
#include <string_view>

#include "audit_export/export_manifest.h"
#include "audit_export/export_verifier.h"
#include "audit_export/signing_key.h"
#include "fuzz_support.h"

namespace {

using namespace knutpunkt;
using namespace knutpunkt::audit_export;

constexpr std::string_view kSeparator = "\n====\n";

struct Keys {
  SigningKey signing;
  VerifyingKey verifying;
};

// A fixed key made in memory (no key file): the same on every run, so a finding replays.
const Keys& keys() {
  static const Keys loaded = [] {
    std::array<unsigned char, 32> seed{};
    for (std::size_t i = 0; i < seed.size(); ++i) seed[i] = static_cast<unsigned char>(i * 7 + 1);
    PkeyPtr key(EVP_PKEY_new_raw_private_key(EVP_PKEY_ED25519, nullptr, seed.data(), seed.size()));
    if (!key) fuzz::setup_failed("no Ed25519 key");
    SigningKey signing(std::move(key));
    auto verifying = signing.public_half();
    if (!verifying) fuzz::setup_failed(verifying.error().message);
    return Keys{std::move(signing), std::move(*verifying)};
  }();
  return loaded;
}

void verify(std::string_view manifest, std::string_view export_bytes, const std::string& name, bool re_signed) {
  std::istringstream in{std::string(export_bytes)};
  auto report = verify_export(in, manifest, name, keys().verifying);
  if (!report) return;
  if (re_signed && report->first_problem &&
      (report->first_problem->code == "signature_invalid" || report->first_problem->code == "wrong_key")) {
    std::fprintf(stderr, "a manifest signed with the given key failed its signature check\n");
    std::abort();
  }
  if (report->first_problem) {
    fuzz::require_utf8({{"code", report->first_problem->code}, {"detail", report->first_problem->detail}});
  }
}

// The manifest's object with this target's key id and signature, as the exporter would write it.
std::optional<std::string> re_sign(std::string_view manifest) {
  auto root = nlohmann::json::parse(manifest, nullptr, /*allow_exceptions=*/false);
  if (root.is_discarded() || !root.is_object()) return std::nullopt;
  root["key_id"] = keys().signing.key_id();
  root["signature"] = "";
  auto covered = read_signed_manifest(root.dump());
  if (!covered) return std::nullopt;
  auto signature = keys().signing.sign_hex(covered->signed_text);
  if (!signature) return std::nullopt;
  root["signature"] = *signature;
  return root.dump(2);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  const auto split = input.find(kSeparator);
  if (split == std::string_view::npos) return 0;
  const std::string_view manifest = input.substr(0, split);
  const std::string_view export_bytes = input.substr(split + kSeparator.size());
  std::string name = "export.jsonl";
  // The name the export goes by is the one its manifest gives ("file": {"name"}).
  const auto root = nlohmann::json::parse(manifest, nullptr, false);
  if (auto file = root.is_object() ? root.find("file") : root.end(); file != root.end() && file->is_object()) {
    if (auto given = file->find("name"); given != file->end() && given->is_string()) name = given->get<std::string>();
  }

  verify(manifest, export_bytes, name, /*re_signed=*/false);
  if (auto signed_manifest = re_sign(manifest)) verify(*signed_manifest, export_bytes, name, /*re_signed=*/true);
  return 0;
}
