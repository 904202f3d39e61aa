// The progress figures, as masscan's status line for people and as JSON lines for machines.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>

namespace ajar::engine {

struct progress_snapshot {
  std::uint64_t done = 0, total = 0, open = 0, identified = 0, errors = 0;
  double elapsed_s = 0;
  double rate = 0;  // endpoints per second over the last interval
};

// "  1234/65536 (1.9%)  812/s  open 3  found 2  errors 0  ETA 0:01:19"
std::string format_status_line(const progress_snapshot& s);
// {"done":1234,"total":65536,"percent":1.9,"rate":812.0,"open":3,...}
std::string format_status_json(const progress_snapshot& s);

}  // namespace ajar::engine
