#pragma once
// The auditors' web console: static files served from the configured folder (config
// "console.static_dir", the repository's gateway/console/static). GET /console/ is index.html;
// GET /console/<file> one asset. Only plain file names under that folder are served (no "..",
// no hidden files), with a strict Content-Security-Policy: the console talks only to this
// gateway and loads nothing from elsewhere.
#include <cstddef>
#include <filesystem>
#include <string>
#include <string_view>

#include "http/message.h"

namespace knutpunkt::http {

// The longest console file name served; the console's own names are far shorter.
inline constexpr std::size_t kMaxConsoleName = 128;

// Whether `name` is a plain file name, optionally one folder deep ("app.js", "img/logo.svg"):
// each part starts with a letter, digit, '_' or '-' and holds only those and '.', with no "..",
// and the whole is at most kMaxConsoleName characters. Checked by hand in one pass, whatever the
// length: nothing can climb out of the static folder.
bool plain_console_name(std::string_view name);

class ConsoleEndpoint {
 public:
  explicit ConsoleEndpoint(std::filesystem::path static_dir) : static_dir_(std::move(static_dir)) {}

  // `asset` is the path after "/console/" ("" for the index).
  void serve(const std::string& asset, const Request& request, Reply reply) const;

 private:
  std::filesystem::path static_dir_;
};

}  // namespace knutpunkt::http
