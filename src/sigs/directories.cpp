#include "sigs/directories.hpp"

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <system_error>

#include <fmt/format.h>

namespace ajar::sigs {

namespace fs = std::filesystem;

signature load_file(const fs::path& file) {
  auto label = file.string();
  std::ifstream in(file, std::ios::binary);
  if (!in) throw load_error(error_message(label, 0, "cannot be read"));
  std::string text(max_file_bytes + 1, '\0');
  in.read(text.data(), static_cast<std::streamsize>(text.size()));
  text.resize(static_cast<std::size_t>(in.gcount()));
  if (text.size() > max_file_bytes)
    throw load_error(error_message(label, 0, fmt::format("larger than {} bytes", max_file_bytes)));
  return parse(text, label);
}

std::vector<signature> load_directory(const fs::path& dir) {
  std::error_code ec;
  if (!fs::is_directory(dir, ec))
    throw load_error(fmt::format("invalid --sigs '{}': not a directory", dir.string()));
  std::vector<fs::path> files;
  for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
    auto ext = it->path().extension();
    if ((ext == ".yaml" || ext == ".yml") && it->is_regular_file(ec)) files.push_back(it->path());
    if (files.size() > max_signatures)
      throw load_error(fmt::format("invalid --sigs '{}': more than {} signature files",
                                   dir.string(), max_signatures));
  }
  if (ec) throw load_error(fmt::format("invalid --sigs '{}': {}", dir.string(), ec.message()));
  std::sort(files.begin(), files.end());
  std::vector<signature> out;
  for (const auto& f : files) {
    auto s = load_file(f);
    for (const auto& prior : out)
      if (prior.name == s.name)
        throw load_error(
            error_message(s.file, s.name_line,
                          fmt::format("name '{}' is already defined in '{}'", s.name, prior.file)));
    out.push_back(std::move(s));
  }
  return out;
}

std::optional<fs::path> shipped_directory() {
  if (const char* env = std::getenv("AJAR_SIGS_DIR")) {
    if (*env == '\0') return std::nullopt;
    std::error_code ec;
    if (!fs::is_directory(env, ec))
      throw load_error(fmt::format("invalid AJAR_SIGS_DIR '{}': not a directory", env));
    return fs::path(env);
  }
  std::error_code ec;
  auto exe = fs::read_symlink("/proc/self/exe", ec);
  if (!ec) {
    auto installed = exe.parent_path().parent_path() / "share" / "ajar" / "sigs";
    if (fs::is_directory(installed, ec)) return installed;
  }
#ifdef AJAR_SOURCE_SIGS_DIR
  if (fs::path source(AJAR_SOURCE_SIGS_DIR); fs::is_directory(source, ec)) return source;
#endif
  return std::nullopt;
}

std::vector<signature> load_all(const std::optional<fs::path>& shipped,
                                const std::vector<fs::path>& user) {
  std::vector<signature> out;
  if (shipped) out = load_directory(*shipped);
  std::vector<bool> from_user(out.size(), false);
  for (const auto& dir : user) {
    for (auto& s : load_directory(dir)) {
      auto same = std::find_if(out.begin(), out.end(),
                               [&](const signature& o) { return o.name == s.name; });
      if (same == out.end()) {
        out.push_back(std::move(s));
        from_user.push_back(true);
        continue;
      }
      auto i = static_cast<std::size_t>(same - out.begin());
      if (from_user[i])
        throw load_error(
            error_message(s.file, s.name_line,
                          fmt::format("name '{}' is already defined in '{}'", s.name, same->file)));
      *same = std::move(s);
      from_user[i] = true;
    }
  }
  return out;
}

}  // namespace ajar::sigs
