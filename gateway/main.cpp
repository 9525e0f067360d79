// knutpunkt: the gateway's entry point. The command line is parsed by CLI11: every subcommand
// has --help, `knutpunkt --version` prints the build, and an option that is unknown or misspelt
// stops the command with exit code 2 and a message naming it. Each subcommand group lives in
// gateway/cli/.
#include <sys/stat.h>

#include <CLI/CLI.hpp>
#include <functional>
#include <iostream>
#include <memory>
#include <string>

#include "cli/audit_commands.h"
#include "cli/serve_command.h"
#include "cli/store_commands.h"
#include "core/build_info.h"
#include "http/router.h"
#include "identity/password_hash.h"

namespace kp = knutpunkt;

namespace {

// For config "users": the password is read from stdin (not the command line, which others can see).
int hash_password(int iterations) {
  std::string password;
  std::getline(std::cin, password);
  auto hash = kp::identity::hash_password(password, iterations);
  if (!hash) {
    std::cerr << "knutpunkt: " << hash.error().message << "\n";
    return 2;
  }
  std::cout << *hash << "\n";
  return 0;
}

void add_user_commands(CLI::App& app, std::function<int()>& run) {
  auto* user = app.add_subcommand("user", "Manage console users");
  user->require_subcommand(1);
  auto* hash = user->add_subcommand("hash-password", "Hash a password read from stdin, for config \"users\"");
  auto iterations = std::make_shared<int>(kp::identity::kDefaultIterations);
  hash->add_option("--iterations", *iterations, "PBKDF2 iterations")->capture_default_str();
  hash->callback([&run, iterations] { run = [iterations] { return hash_password(*iterations); }; });
}

void add_routes_command(CLI::App& app, std::function<int()>& run) {
  auto* routes = app.add_subcommand("routes", "The HTTP routes served: method, path, audience");
  auto json = std::make_shared<bool>(false);
  routes->add_flag("--json", *json, std::string("print them as JSON (the only form there is)"))->required();
  routes->callback([&run, json] {
    run = [] {
      std::cout << kp::http::gateway_routes(nullptr).to_json().dump(2) << "\n";
      return 0;
    };
  });
}

}  // namespace

int main(int argc, char** argv) {
  // Everything knutpunkt creates (the database and its WAL and SHM files, the log, audit exports,
  // the port file) is for the service's own user alone, whatever umask it was started with: the
  // database and exports hold personal data (OSL 26 kap. 1 §), and the log names clients and
  // partners. Operators read them as the service user or through the journal, so no group bit
  // is given either.
  ::umask(0077);
  CLI::App app{"knutpunkt: the integration gateway between social services and partner agencies", "knutpunkt"};
  app.set_version_flag("--version", std::string("knutpunkt ") + kp::build_version());
  app.require_subcommand(1);
  std::function<int()> run;
  kp::cli::add_serve_command(app, run);
  kp::cli::add_audit_commands(app, run);
  kp::cli::add_store_commands(app, run);
  add_user_commands(app, run);
  add_routes_command(app, run);
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    // Usage errors exit 2, as they always have (scripts rely on it), not CLI11's own codes.
    std::cerr << "knutpunkt: " << e.what() << "\nRun with --help for usage.\n";
    return 2;
  }
  return run ? run() : 2;
}
