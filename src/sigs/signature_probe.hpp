// A probes::probe driven by a declarative signature (signature.hpp): what lets a YAML file
// stand where a C++ probe would.
#pragma once

#include <memory>

#include "probes/probe.hpp"
#include "sigs/signature.hpp"

namespace ajar::sigs {

// The probe for one loaded signature. Its name, ports, transport and summary come from the
// file; `ajar probes` shows "(signature <file name>)" after the summary.
std::unique_ptr<probes::probe> make_probe(signature s);

}  // namespace ajar::sigs
