// Secret files in the data directory (created 0600, never logged).
#pragma once

#include "core/error.hpp"

#include <string>

namespace lk::app {

// Reads DIR/<name>, or creates it with `make()`'s value, mode 0600, if it
// does not exist. Trailing white space is trimmed on read.
[[nodiscard]] Result<std::string> read_or_create_secret(const std::string& path, std::string (*make)());

// Reads DIR/<name>; an error when missing, empty, or readable by others.
[[nodiscard]] Result<std::string> read_secret(const std::string& path);

// Writes `value` to `path` mode 0600, replacing it.
[[nodiscard]] Result<void> write_secret(const std::string& path, const std::string& value);

}  // namespace lk::app
