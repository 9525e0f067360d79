#pragma once
// Key files (the audit signing key) must be readable by their owner alone: a key that others on
// the host can read signs for them too. Checked at start, before the key is loaded.
#include <expected>
#include <filesystem>
#include <string>

namespace knutpunkt {

// An error naming the file when it is readable, writable or executable by its group or by others,
// or cannot be examined at all.
std::expected<void, std::string> require_owner_only(const std::filesystem::path& file);

}  // namespace knutpunkt
