// The files under the paths given to `ajar audit`: directories recursively, entries sorted by
// name (byte order) so two runs over the same tree list the same files in the same order.
// Symbolic links are followed, but a directory already on the way down (same device and inode)
// is not entered again, and depth is capped: a link loop ends the descent, never the process.
#pragma once

#include <span>
#include <string>
#include <vector>

namespace ajar::audit {

// Deeper than this is a loop we failed to see or a generated tree: no config lives there.
inline constexpr std::size_t max_walk_depth = 32;
// Files listed at most: a walk of `/` by mistake ends with a note instead of running for hours.
inline constexpr std::size_t max_walk_files = 200'000;

struct walk_result {
  std::vector<std::string> files;  // regular files (or links to them), as paths joined from the input
  std::vector<std::string> notes;  // what was skipped and why
};

// Throws core::input_error naming the first path that does not exist.
walk_result walk(std::span<const std::string> paths);

}  // namespace ajar::audit
