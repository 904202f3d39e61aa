#include "audit/walk.hpp"

#include <dirent.h>
#include <sys/stat.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <set>
#include <utility>

#include <fmt/format.h>

#include "core/error.hpp"

namespace ajar::audit {

namespace {

using dir_id = std::pair<dev_t, ino_t>;

std::string join(const std::string& dir, const std::string& name) {
  if (!dir.empty() && dir.back() == '/') return dir + name;
  return dir + "/" + name;
}

class walker {
 public:
  walk_result result;

  void path(const std::string& p) {
    struct stat st {};
    if (::stat(p.c_str(), &st) != 0) {
      result.notes.push_back(fmt::format("skipped {}: {}", p, std::strerror(errno)));
      return;
    }
    if (S_ISDIR(st.st_mode)) {
      directory(p, st, 0);
    } else if (S_ISREG(st.st_mode)) {
      file(p);
    } else {
      result.notes.push_back(fmt::format("skipped {}: not a regular file", p));
    }
  }

 private:
  std::set<dir_id> on_path_;  // directories being walked right now (a link back to one is a loop)
  bool full_ = false;

  void file(const std::string& p) {
    if (result.files.size() >= max_walk_files) {
      if (!full_) result.notes.push_back(fmt::format("stopped listing files after {} (at {})", max_walk_files, p));
      full_ = true;
      return;
    }
    result.files.push_back(p);
  }

  void directory(const std::string& p, const struct stat& st, std::size_t depth) {
    dir_id id{st.st_dev, st.st_ino};
    if (on_path_.count(id) != 0) {
      result.notes.push_back(fmt::format("skipped {}: a link back to a directory above it", p));
      return;
    }
    if (depth > max_walk_depth) {
      result.notes.push_back(fmt::format("skipped {}: deeper than {} directories", p, max_walk_depth));
      return;
    }
    DIR* d = ::opendir(p.c_str());
    if (d == nullptr) {
      result.notes.push_back(fmt::format("skipped {}: {}", p, std::strerror(errno)));
      return;
    }
    std::vector<std::string> names;
    while (auto* e = ::readdir(d)) {
      std::string n = e->d_name;
      if (n != "." && n != "..") names.push_back(std::move(n));
    }
    ::closedir(d);
    std::sort(names.begin(), names.end());
    on_path_.insert(id);
    for (const auto& n : names) {
      if (full_) break;
      std::string child = join(p, n);
      struct stat cst {};
      if (::stat(child.c_str(), &cst) != 0) continue;  // a dangling link: nothing to read
      if (S_ISDIR(cst.st_mode)) {
        directory(child, cst, depth + 1);
      } else if (S_ISREG(cst.st_mode)) {
        file(child);
      }
      // Sockets, FIFOs and devices under a directory are silently left alone: opening a FIFO
      // would block, and none of them is a configuration file.
    }
    on_path_.erase(id);
  }
};

}  // namespace

walk_result walk(std::span<const std::string> paths) {
  for (const auto& p : paths) {
    struct stat st {};
    if (::stat(p.c_str(), &st) != 0)
      throw core::input_error(fmt::format("cannot read '{}': {}", p, std::strerror(errno)));
  }
  walker w;
  for (const auto& p : paths) w.path(p);
  return std::move(w.result);
}

}  // namespace ajar::audit
