#pragma once

#include <string>
#include <vector>

#include "core/finding.hpp"

namespace ajar::findings {

// How bad a finding is for its owner; the table is docs/SEVERITY.md.
core::severity rate(const core::observation& o, const std::vector<std::string>& indicators = {}) noexcept;

}  // namespace ajar::findings
