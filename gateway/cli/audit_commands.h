#pragma once
// knutpunkt audit verify | export | keygen: the audit log checked, exported and its key made.
#include <CLI/CLI.hpp>
#include <functional>

namespace knutpunkt::cli {

void add_audit_commands(CLI::App& app, std::function<int()>& run);

}  // namespace knutpunkt::cli
