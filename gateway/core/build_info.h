#pragma once
// What was built: the version from the project's CMake metadata, for --version and the
// knutpunkt_build_info metric.
namespace knutpunkt {

const char* build_version();

}  // namespace knutpunkt
