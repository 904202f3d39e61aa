// --sigs DIR: declarative HTTP signatures (src/sigs/, docs/SIGNATURES.md) for `scan` and `probes`.
#pragma once

#include <string>
#include <vector>

#include <CLI/App.hpp>

namespace ajar::cli {

// Adds the repeatable --sigs DIR option to a subcommand.
void add_sigs_option(CLI::App& cmd, std::vector<std::string>& dirs);

// Loads the shipped signatures and those in `dirs` and adds them to the probe registry; call
// before anything reads the registry (ports, probe names). A bad file throws core::input_error
// ("invalid signature file 'x.yaml' line 7: unknown key 'stauts' ..."): exit 2. Once per process.
void load_signatures(const std::vector<std::string>& dirs);

}  // namespace ajar::cli
