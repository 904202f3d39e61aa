// The inventory's write path alone: what recording one scan's findings costs, without a scan.
// Records N redis-like findings (addresses in a shuffled order, as a permuted scan delivers
// them) into a fresh SQLite inventory, in batches of the recorder's commit size: once (every
// service new), then again (every service known). Prints CPU and wall time per pass.
//   store_record DIR [N]     DIR: an empty scratch directory; N: findings (default 16384)
#include <time.h>

#include <algorithm>
#include <boost/json/object.hpp>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <numeric>
#include <random>
#include <string>
#include <vector>

#include "inventory/recorder.hpp"
#include "inventory/store.hpp"

namespace {

double cpu_seconds() {
  timespec t{};
  ::clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
  return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_nsec) / 1e9;
}

ajar::inventory::store::sighting finding(std::uint32_t i, std::int64_t ts) {
  auto ip = "127." + std::to_string((i >> 16) & 255) + "." + std::to_string((i >> 8) & 255) + "." +
            std::to_string(i & 255);
  boost::json::object f{{"ip", ip},
                        {"port", 6379},
                        {"transport", "tcp"},
                        {"tls", false},
                        {"service", "redis"},
                        {"product", "Redis"},
                        {"version", "7.0.15"},
                        {"auth", "none"},
                        {"severity", "critical"},
                        {"evidence", "INFO answered without AUTH (redis_version:7.0.15)"},
                        {"exposure", {{"databases", 1}, {"keys", 3}, {"bytes", 1590136}}},
                        {"indicators", boost::json::array{}},
                        {"observed_at", "2026-11-27T07:02:36Z"}};
  return {std::move(f), ts};
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: store_record DIR [N]\n");
    return 2;
  }
  ajar::inventory::hold_freed_heap();  // as ajar's main() does
  std::uint32_t n = argc > 2 ? static_cast<std::uint32_t>(std::strtoul(argv[2], nullptr, 10)) : 16384;
  auto st = ajar::inventory::store::open(std::string(argv[1]) + "/inventory.db");
  std::vector<std::uint32_t> order(n);
  std::iota(order.begin(), order.end(), 0U);
  std::mt19937 rng(1);
  const auto batch = ajar::inventory::recorder::flush_at;
  for (int pass = 1; pass <= 2; ++pass) {
    std::shuffle(order.begin(), order.end(), rng);
    ajar::inventory::scan_meta m;
    m.targets = {"127.0.0.0/18"};
    m.ports = "6379";
    auto id = st->begin_scan(m);
    auto c0 = cpu_seconds();
    auto w0 = std::chrono::steady_clock::now();
    std::int64_t ts = 1'800'000'000'000 + pass * 3'600'000;
    for (std::size_t i = 0; i < order.size(); i += batch) {
      std::vector<ajar::inventory::store::sighting> s;
      for (std::size_t j = i; j < std::min<std::size_t>(i + batch, order.size()); ++j)
        s.push_back(finding(order[j], ts++));
      st->record(id, s);
    }
    auto wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - w0).count();
    std::printf("pass %d (%s): %u findings, cpu %.3f s, wall %.3f s\n", pass,
                pass == 1 ? "new services" : "known services", n, cpu_seconds() - c0, wall);
  }
  return 0;
}
