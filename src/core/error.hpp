#pragma once

#include <stdexcept>
#include <string>

namespace ajar::core {

// Bad user input found at start-up (a target, a port, a duration, a file). The message is one
// line that names the bad token; the CLI prints it and exits 2. Network trouble is never an
// exception: it is data (see net::io_status).
class input_error : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

}  // namespace ajar::core
