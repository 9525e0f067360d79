#pragma once
// knutpunkt serve --config FILE [--port N] [--port-file FILE] [--db FILE] [--log-file FILE]
//                 [--log-level debug|info|warn|error]
#include <CLI/CLI.hpp>
#include <functional>

namespace knutpunkt::cli {

// Adds the subcommand to `app`; `run` is set to what runs it once the command line is parsed.
void add_serve_command(CLI::App& app, std::function<int()>& run);

}  // namespace knutpunkt::cli
