#pragma once
// A scratch directory for one test, made fresh under the system's temporary directory and removed
// with everything in it when the test is done. Its name says which test program made it, for
// whoever finds one that a crashed run left behind.
#include <errno.h>
#include <stdlib.h>

#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <string>

namespace knutpunkt::test_support {

struct TempDir {
  TempDir() : path(make(std::string("knutpunkt-") + program_invocation_short_name)) {}
  ~TempDir() {
    std::error_code ignored;
    std::filesystem::remove_all(path, ignored);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  // Writes `content` to the file `name` in the directory, as given byte for byte; its path.
  std::filesystem::path write(const std::string& name, const std::string& content) const {
    const auto file = path / name;
    std::ofstream(file, std::ios::binary) << content;
    return file;
  }

  const std::filesystem::path path;

 private:
  static std::filesystem::path make(const std::string& prefix) {
    // mkdtemp: a name no other test process can have taken, made with owner-only access.
    std::string pattern = (std::filesystem::temp_directory_path() / (prefix + "-XXXXXX")).string();
    if (mkdtemp(pattern.data()) == nullptr) throw std::runtime_error("mkdtemp failed for " + pattern);
    return pattern;
  }
};

}  // namespace knutpunkt::test_support
