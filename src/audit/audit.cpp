#include "audit/audit.hpp"

#include <sys/stat.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstring>
#include <exception>
#include <fstream>

#include <fmt/format.h>

#include "audit/kinds.hpp"
#include "audit/walk.hpp"

namespace ajar::audit {

std::size_t source_file::line_of(std::size_t pos) const {
  pos = std::min(pos, text.size());
  return 1 + static_cast<std::size_t>(std::count(text.begin(), text.begin() + static_cast<std::ptrdiff_t>(pos), '\n'));
}

namespace {
constexpr rule unparseable_rule{"AJAR-AUDIT-001", "audit", core::severity::info,
                                "The file could not be parsed, so no rule was checked",
                                "Fix the syntax error the message names", ""};

std::string_view base_name(std::string_view path) {
  auto slash = path.rfind('/');
  return slash == std::string_view::npos ? path : path.substr(slash + 1);
}

// Reads at most `limit` bytes of `path`; false (and `why`) when it cannot be read.
bool read_prefix(const std::string& path, std::size_t limit, std::string& out, std::string& why) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    why = std::strerror(errno);
    return false;
  }
  out.resize(limit);
  in.read(out.data(), static_cast<std::streamsize>(limit));
  if (in.bad()) {
    why = "read error";
    return false;
  }
  out.resize(static_cast<std::size_t>(in.gcount()));
  return true;
}

std::string mib(std::uint64_t bytes) { return fmt::format("{:.1f} MiB", static_cast<double>(bytes) / (1024.0 * 1024.0)); }

}  // namespace

std::span<const file_kind* const> kinds() {
  static const std::array<const file_kind*, 15> all{
      &redis_conf_kind(),   &pg_hba_kind(),          &postgresql_conf_kind(), &mysql_cnf_kind(),
      &clickhouse_users_kind(), &influxdb_conf_kind(), &couchdb_ini_kind(),   &zoo_cfg_kind(),
      &mongod_conf_kind(),  &elasticsearch_yml_kind(), &opensearch_yml_kind(), &kibana_yml_kind(),
      &etcd_conf_kind(),    &docker_compose_kind(),  &kubernetes_kind()};
  return all;
}

std::vector<const rule*> all_rules() {
  std::vector<const rule*> out{&unparseable_rule};
  for (const auto* k : kinds())
    for (const auto& r : k->rules) out.push_back(&r);
  std::sort(out.begin(), out.end(), [](const rule* a, const rule* b) { return a->id < b->id; });
  return out;
}

issue unparseable(const source_file& file, std::size_t line, std::string message) {
  return issue{&unparseable_rule, file.path, line, 0, std::move(message)};
}

const file_kind* recognise(std::string_view file_name, std::string_view head) {
  if (file_name == "EXPECTED.audit") return nullptr;
  for (const auto* k : kinds())
    if (k->recognise(file_name, head)) return k;
  return nullptr;
}

void check_file(const file_kind& kind, const source_file& file, std::vector<issue>& out) {
  std::vector<issue> found;
  try {
    kind.check(file, found);
  } catch (const std::exception& e) {
    // A kind's bug or a parser's exception must not end the audit of every other file.
    found.clear();
    found.push_back(unparseable(file, 0, fmt::format("{} could not be checked: {}", kind.name, e.what())));
  }
  std::stable_sort(found.begin(), found.end(), [](const issue& a, const issue& b) {
    if (a.line != b.line) return a.line < b.line;
    return a.what->id < b.what->id;
  });
  for (auto& i : found) out.push_back(std::move(i));
}

result run(std::span<const std::string> paths) {
  auto listed = walk(paths);
  result r;
  r.notes = std::move(listed.notes);
  for (const auto& path : listed.files) {
    ++r.files_seen;
    struct stat st {};
    if (::stat(path.c_str(), &st) != 0) {
      r.notes.push_back(fmt::format("skipped {}: {}", path, std::strerror(errno)));
      continue;
    }
    auto size = static_cast<std::uint64_t>(st.st_size);
    std::string head, why;
    if (!read_prefix(path, head_bytes, head, why)) {
      r.notes.push_back(fmt::format("skipped {}: {}", path, why));
      continue;
    }
    const file_kind* kind = recognise(base_name(path), head);
    if (kind == nullptr) continue;
    if (size > max_file_bytes) {
      r.notes.push_back(fmt::format("skipped {}: {} is over the {} limit for a configuration file", path,
                                    mib(size), mib(max_file_bytes)));
      continue;
    }
    source_file file{path, {}};
    if (!read_prefix(path, max_file_bytes + 1, file.text, why)) {
      r.notes.push_back(fmt::format("skipped {}: {}", path, why));
      continue;
    }
    if (file.text.size() > max_file_bytes) {  // grew since stat
      r.notes.push_back(fmt::format("skipped {}: over the {} limit for a configuration file", path, mib(max_file_bytes)));
      continue;
    }
    ++r.files_checked;
    check_file(*kind, file, r.issues);
  }
  return r;
}

}  // namespace ajar::audit
