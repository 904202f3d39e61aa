// Where signatures come from: the shipped sigs/ directory and the user's --sigs directories.
#pragma once

#include <filesystem>
#include <optional>
#include <vector>

#include "sigs/signature.hpp"

namespace ajar::sigs {

// Reads and parses one file. Throws load_error.
signature load_file(const std::filesystem::path& file);
// Every *.yaml / *.yml file directly in `dir`, sorted by file name. Throws load_error (also for
// a directory that cannot be read, and for two files defining the same name).
std::vector<signature> load_directory(const std::filesystem::path& dir);

// The shipped signatures, in this order: $AJAR_SIGS_DIR when set (set and empty: none);
// <executable>/../share/ajar/sigs when it exists (an installed ajar); the source tree's sigs/
// when it exists (an ajar run from its build tree); otherwise none.
std::optional<std::filesystem::path> shipped_directory();

// Loads the shipped directory (when given) and then each user directory. A user signature with
// the name of a shipped one replaces it (fix a shipped signature without rebuilding); two user
// signatures with the same name are an error. Throws load_error.
std::vector<signature> load_all(const std::optional<std::filesystem::path>& shipped,
                                const std::vector<std::filesystem::path>& user);

}  // namespace ajar::sigs
