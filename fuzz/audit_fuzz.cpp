// Fuzz target for `ajar audit` (src/audit): every file kind that audit::kinds() lists checks the
// fuzzer's bytes as the text of a configuration file, and recognises them under a few names.
// Generic on purpose: a kind added to kinds() is fuzzed without touching this file.
//
// Checked: check() never throws (a file that does not parse is an AJAR-AUDIT-001 issue, not an
// exception), and every issue names a rule and a line inside the file.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "audit/audit.hpp"

namespace {

namespace audit = ajar::audit;

// File names the kinds claim (and one none should), so recognise() sees the fuzzer's head bytes
// under each.
constexpr std::string_view names[] = {
    "redis.conf",     "pg_hba.conf",       "postgresql.conf", "my.cnf",        "users.xml",
    "influxdb.conf",  "local.ini",         "zoo.cfg",         "mongod.conf",   "elasticsearch.yml",
    "opensearch.yml", "kibana.yml",        "etcd.conf.yml",   "etcd",          "docker-compose.yml",
    "compose.yaml",   "deployment.yaml",   "notes.txt"};

// recognise() is given the file's first bytes, as the directory walker reads them.
constexpr std::size_t head_bytes = 4096;

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  audit::source_file file{"fuzz.conf", std::string(reinterpret_cast<const char*>(data), size)};
  std::string_view head(file.text.data(), std::min(file.text.size(), head_bytes));
  auto lines = file.line_of(file.text.size());
  for (const auto* kind : audit::kinds()) {
    for (auto name : names) (void)kind->recognise(name, head);
    std::vector<audit::issue> issues;
    kind->check(file, issues);
    for (const auto& i : issues) {
      if (i.what == nullptr || i.what->id.empty()) std::abort();
      if (i.line > lines) std::abort();
    }
  }
  return 0;
}
