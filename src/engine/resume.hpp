// The resume file: everything that fixes a scan's order (the resolved targets after
// exclusions, ports, seed, shard, thread count) and where each thread stood. JSON, versioned,
// so a person can read what was being scanned.
#pragma once

#include <string>

#include "engine/scan.hpp"

namespace ajar::engine {

void write_resume_file(const std::string& path, const scan_plan& plan, const scan_result& result);
// Throws core::input_error naming the file when it is missing, unreadable or not a resume file.
scan_plan read_resume_file(const std::string& path);

}  // namespace ajar::engine
