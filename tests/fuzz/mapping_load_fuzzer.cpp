// A mapping file as the loader reads it at start-up (Mapping::load, OutboundTemplate::load): every
// mistake in one must stop start-up with the file and JSON pointer, never with a crash or an
// exception. The loaders take a path, so the input is handed over in an anonymous in-memory file
// (memfd): nothing is written to disk. The loaders insist that the "mapping" name ends in the
// file's name, which for a memfd is its number; a name is rewritten to end so, or every input
// would stop at that first check.
#include <sys/mman.h>
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "fuzz_support.h"
#include "mapping/outbound_template.h"

namespace {

using namespace knutpunkt;

const std::string& memory_file() {
  static const std::string path = [] {
    const int fd = ::memfd_create("mapping.json", 0);
    if (fd < 0) fuzz::setup_failed("memfd_create");
    return "/proc/self/fd/" + std::to_string(fd);
  }();
  return path;
}

void check(const mapping::MappingError& error) {
  fuzz::require_utf8({{"code", error.code}, {"where", error.where}, {"message", error.message}});
}

// The input, with a "mapping": "<adapter>/<name>" member renamed to end in the memfd's number.
std::string with_file_name(std::string_view input, const std::string& stem) {
  auto root = nlohmann::json::parse(input, nullptr, /*allow_exceptions=*/false);
  if (!root.is_object() || !root.contains("mapping") || !root["mapping"].is_string()) return std::string(input);
  std::string name = root["mapping"].get<std::string>();
  const auto slash = name.rfind('/');
  if (slash == std::string::npos) return std::string(input);
  root["mapping"] = name.substr(0, slash + 1) + stem;
  return root.dump(2);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string& file = memory_file();
  const std::string stem = file.substr(file.rfind('/') + 1);
  const std::string text = with_file_name(std::string_view(reinterpret_cast<const char*>(data), size), stem);
  const int fd = std::stoi(stem);
  if (::ftruncate(fd, 0) != 0 || ::pwrite(fd, text.data(), text.size(), 0) != static_cast<ssize_t>(text.size())) {
    fuzz::setup_failed("writing the in-memory file");
  }
  // Relative "schema" entries resolve in the folder of SSBTEK's XSDs, as SSBTEK's mappings do.
  if (auto m = mapping::Mapping::load(file, fuzz::repo_path("schemas/ssbtek")); !m) check(m.error());
  if (auto t = mapping::OutboundTemplate::load(file); !t) check(t.error());
  return 0;
}
