#pragma once
#include <expected>
#include <filesystem>
#include <memory>

#include "store/store.h"

namespace knutpunkt {

// Opens (creating if needed) a SQLite database and brings its schema up to date.
// Journal mode WAL with synchronous=FULL: every commit is fsynced to the WAL before it returns,
// so an acknowledged append survives SIGKILL and power loss. Thread-safe (one connection behind
// one mutex). Error codes: "sqlite_open", "sqlite_error", "busy", "schema_too_new".
std::expected<std::unique_ptr<Store>, StoreError> open_sqlite_store(const std::filesystem::path& path);

}  // namespace knutpunkt
