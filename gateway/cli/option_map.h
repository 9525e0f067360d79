#pragma once
// Named string options on a CLI11 (sub)command, read back as the "--name value" map the commands
// take: only the options given appear in it. CLI11 refuses any other option, so a misspelt one
// (--log-levle) stops the command instead of being ignored.
#include <CLI/CLI.hpp>
#include <map>
#include <string>
#include <vector>

namespace knutpunkt::cli {

class OptionMap {
 public:
  // Adds --name VALUE to `command`; the returned option can be refined (->required(), ...).
  CLI::Option* add(CLI::App& command, const std::string& name, const std::string& description) {
    values_[name];
    return command.add_option("--" + name, values_[name], description)->type_name("VALUE");
  }

  // The options given on the command line, by name without the dashes.
  std::map<std::string, std::string> given(const CLI::App& command) const {
    std::map<std::string, std::string> out;
    for (const auto& [name, value] : values_) {
      if (command.count("--" + name) > 0) out[name] = value;
    }
    return out;
  }

 private:
  std::map<std::string, std::string> values_;
};

}  // namespace knutpunkt::cli
