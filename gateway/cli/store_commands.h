#pragma once
// knutpunkt store migrate: a store moved from one backend to another.
#include <CLI/CLI.hpp>
#include <functional>

namespace knutpunkt::cli {

void add_store_commands(CLI::App& app, std::function<int()>& run);

}  // namespace knutpunkt::cli
