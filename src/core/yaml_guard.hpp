#pragma once
// A guard in front of yaml-cpp for text ajar did not write (signatures, audited config files, the
// serve config).
//
// yaml-cpp 0.7 (Debian 12's libyaml-cpp0.7) never returns on some documents that have a line whose
// first non-blank character is ',' in block context: ",\n", " ,", "- a\n,", "# c\n,", "---\n,"
// (found by fuzz_sigs and fuzz_audit; the scanner loops without consuming input while memory
// grows). Such a line is an error in block context and rare in flow context ("[a\n,b]"), so ajar
// refuses every such line before calling yaml-cpp, naming it; a refused valid file costs a clear
// message, an accepted one could cost the process.
#include <cstddef>
#include <string_view>

namespace ajar::core {

// The 1-based number of the first line whose first non-blank character is ',', or 0 if none.
inline std::size_t yaml_comma_line(std::string_view text) {
  std::size_t line = 1;
  bool at_start = true;  // only blanks so far on this line
  for (char c : text) {
    if (c == '\n') {
      ++line;
      at_start = true;
    } else if (at_start && c != ' ' && c != '\t' && c != '\r') {
      if (c == ',') return line;
      at_start = false;
    }
  }
  return 0;
}

inline constexpr std::string_view yaml_comma_message =
    "a line starts with ',': not accepted (yaml-cpp 0.7 can loop forever on it; in a flow "
    "collection, put the ',' at the end of the previous line)";

}  // namespace ajar::core
