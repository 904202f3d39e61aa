#include "cli/sigs_option.hpp"

#include <memory>
#include <stdexcept>

#include "core/error.hpp"
#include "probes/registry.hpp"
#include "sigs/directories.hpp"
#include "sigs/signature_probe.hpp"

namespace ajar::cli {

void add_sigs_option(CLI::App& cmd, std::vector<std::string>& dirs) {
  cmd.add_option(
         "--sigs", dirs,
         "Also load the HTTP signatures (*.yaml) in DIR, after the shipped ones; repeatable "
         "(docs/SIGNATURES.md)")
      ->type_name("DIR")
      ->allow_extra_args(false);  // one DIR per --sigs: a target after it stays a target
}

void load_signatures(const std::vector<std::string>& dirs) {
  static bool loaded = false;
  if (loaded) return;
  loaded = true;
  std::vector<std::filesystem::path> user(dirs.begin(), dirs.end());
  auto sigs = sigs::load_all(sigs::shipped_directory(), user);
  std::vector<std::unique_ptr<probes::probe>> extra;
  extra.reserve(sigs.size());
  for (auto& s : sigs) extra.push_back(sigs::make_probe(std::move(s)));
  try {
    probes::add_dynamic(std::move(extra));
  } catch (const std::invalid_argument& e) {  // the loader checks names first; kept for safety
    throw core::input_error(e.what());
  }
}

}  // namespace ajar::cli
