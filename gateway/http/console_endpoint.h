#pragma once
// The auditors' web console: static files served from the configured folder (config
// "console.static_dir", the repository's gateway/console/static). GET /console/ is index.html;
// GET /console/<file> one asset. Only plain file names under that folder are served (no "..",
// no hidden files), with a strict Content-Security-Policy: the console talks only to this
// gateway and loads nothing from elsewhere.
#include <filesystem>
#include <string>

#include "http/message.h"

namespace knutpunkt::http {

class ConsoleEndpoint {
 public:
  explicit ConsoleEndpoint(std::filesystem::path static_dir) : static_dir_(std::move(static_dir)) {}

  // `asset` is the path after "/console/" ("" for the index).
  void serve(const std::string& asset, const Request& request, Reply reply) const;

 private:
  std::filesystem::path static_dir_;
};

}  // namespace knutpunkt::http
