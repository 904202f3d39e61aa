#pragma once

#include "core/finding.hpp"

namespace ajar::findings {

// How bad an observation is for its owner. See docs/ARCHITECTURE.md "Severity" for the table.
core::severity rate(const core::observation& o) noexcept;

}  // namespace ajar::findings
