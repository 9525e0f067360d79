#pragma once
#include <string>

namespace knutpunkt::simulator_kit {

// Writes the bound port for a harness that started us with --port 0. Written to a temporary name
// and renamed, so a reader polling for the file never sees a half-written port.
bool write_port_file(const std::string& path, int port);

}  // namespace knutpunkt::simulator_kit
