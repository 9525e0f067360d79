#include "core/private_file.h"

#include <sys/stat.h>

#include <cerrno>
#include <cstdio>
#include <cstring>

namespace knutpunkt {

std::expected<void, std::string> require_owner_only(const std::filesystem::path& file) {
  struct stat info {};
  // stat, not lstat: a link to the key is fine, what counts is who can read the key itself.
  if (::stat(file.c_str(), &info) != 0) {
    return std::unexpected(file.string() + ": " + std::strerror(errno));
  }
  if ((info.st_mode & (S_IRWXG | S_IRWXO)) != 0) {
    char mode[8];
    std::snprintf(mode, sizeof mode, "%04o", static_cast<unsigned>(info.st_mode & 07777));
    return std::unexpected(file.string() + " is readable or writable by its group or others (mode " + mode +
                           "); make it 0600 (chmod 600)");
  }
  return {};
}

}  // namespace knutpunkt
