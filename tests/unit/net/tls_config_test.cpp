// The "tls" object next to an endpoint, read by the one reader every adapter and webhook shares:
// an https endpoint cannot go without it, the files are named, and a key others can read is refused.
#include "net/tls_config.h"

#include <sys/stat.h>

#include <catch2/catch.hpp>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "config/field_reader.h"
#include "pki_files.h"

namespace {

using knutpunkt::ConfigError;
using knutpunkt::FieldReader;
using knutpunkt::net::TlsSettings;
using knutpunkt::test::TestPki;
using nlohmann::json;

struct Read {
  std::optional<TlsSettings> settings;
  std::optional<ConfigError> error;
};

Read read(const json& config, const std::filesystem::path& base_dir) {
  FieldReader f(config, "/adapters/0/config");
  Read out;
  knutpunkt::net::read_tls(f, config.value("endpoint", ""), base_dir, out.settings);
  if (!f.ok()) out.error = f.error();
  return out;
}

struct Files {
  TestPki pki;
  TestPki::Issued ours;
  Files() {
    pki.make_ca("partner");
    pki.make_ca("kommun");
    ours = pki.issue("kommun", "kommun", {.common_name = "Exempelby kommun", .serial_number = "SE2120001234"});
  }
  json config() const {
    return {{"endpoint", "https://ssbtek.example/ssbtek"},
            {"tls",
             {{"ca_file", "partner-ca.pem"},
              {"certificate", ours.certificate.filename().string()},
              {"key", ours.key.filename().string()}}}};
  }
};

}  // namespace

TEST_CASE("an https endpoint without tls is refused, naming the tls field", "[net][tls][config]") {
  const auto result = read({{"endpoint", "https://ssbtek.example/ssbtek"}}, "/etc/knutpunkt");
  REQUIRE(result.error);
  CHECK(result.error->field == "/adapters/0/config/tls");
  CHECK_THAT(result.error->message, Catch::Contains("https"));
}

TEST_CASE("tls on a plain http endpoint is refused rather than silently unused", "[net][tls][config]") {
  const auto result = read({{"endpoint", "http://ssbtek.example/ssbtek"}, {"tls", {{"ca_file", "ca.pem"}}}}, "/");
  REQUIRE(result.error);
  CHECK(result.error->field == "/adapters/0/config/tls");
}

TEST_CASE("a plain http endpoint needs no tls", "[net][tls][config]") {
  const auto result = read({{"endpoint", "http://127.0.0.1:18081/ssbtek"}}, "/");
  CHECK_FALSE(result.error);
  CHECK_FALSE(result.settings);
}

TEST_CASE("tls paths resolve against the config's folder", "[net][tls][config]") {
  Files files;
  const auto result = read(files.config(), files.pki.dir());
  REQUIRE_FALSE(result.error);
  REQUIRE(result.settings);
  CHECK(result.settings->ca_file == files.pki.ca_file("partner"));
  CHECK(result.settings->identity.certificate == files.ours.certificate.string());
  CHECK(result.settings->identity.key == files.ours.key.string());
}

TEST_CASE("a group-readable organisation key is refused, naming the key field", "[net][tls][config]") {
  Files files;
  ::chmod(files.ours.key.c_str(), 0640);
  const auto result = read(files.config(), files.pki.dir());
  REQUIRE(result.error);
  CHECK(result.error->field == "/adapters/0/config/tls/key");
  CHECK_THAT(result.error->message, Catch::Contains("0640"));
}

TEST_CASE("tls errors name their field", "[net][tls][config]") {
  Files files;
  const auto field_of = [&](json config) {
    const auto result = read(config, files.pki.dir());
    return result.error ? result.error->field : std::string("<accepted>");
  };
  json config = files.config();
  config["tls"].erase("ca_file");
  CHECK(field_of(config) == "/adapters/0/config/tls/ca_file");

  config = files.config();
  config["tls"].erase("key");
  CHECK(field_of(config) == "/adapters/0/config/tls/key");

  config = files.config();
  config["tls"].erase("certificate");
  CHECK(field_of(config) == "/adapters/0/config/tls/certificate");

  config = files.config();
  config["tls"]["key_password_file"] = "pass";
  config["tls"]["key_password_env"] = "KNUTPUNKT_TEST_KEY_PASSWORD";
  CHECK(field_of(config) == "/adapters/0/config/tls/key_password_env");

  config = files.config();
  config["tls"]["key_password_env"] = "KNUTPUNKT_TEST_UNSET_KEY_PASSWORD";
  ::unsetenv("KNUTPUNKT_TEST_UNSET_KEY_PASSWORD");
  CHECK(field_of(config) == "/adapters/0/config/tls/key_password_env");

  // A relative password file is found next to the config, as every other path is.
  {
    const auto password = files.pki.dir() / "key-password.txt";
    std::ofstream(password) << "not used for an unencrypted key\n";
    std::filesystem::permissions(password, std::filesystem::perms::owner_read | std::filesystem::perms::owner_write);
    config = files.config();
    config["tls"]["key_password_file"] = "key-password.txt";
    CHECK(field_of(config) == "<accepted>");
  }

  config = files.config();
  config["tls"]["verify"] = false;
  CHECK(field_of(config) == "/adapters/0/config/tls/verify");

  // A partner that needs no client certificate: the CA bundle alone.
  config = files.config();
  config["tls"].erase("certificate");
  config["tls"].erase("key");
  CHECK(field_of(config) == "<accepted>");
}
