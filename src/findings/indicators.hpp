// Indicators: what the names in a finding's exposure suggest, from names only (never contents).
//
//   ransom-note     a database/index/key name left by an extortion bot ("READ_ME_TO_RECOVER",
//                   "*-meow", "how_to_restore", "warning", ...)
//   wiped           a ransom note next to (near) nothing else: the data is gone
//   pii-like-names  names that suggest personal data (citizen, patient, passport, phone, ...)
#pragma once

#include <map>
#include <string>
#include <vector>

#include "core/finding.hpp"

namespace ajar::findings {

struct indicator_result {
  std::vector<std::string> indicators;                       // sorted, unique
  std::map<std::string, std::vector<std::string>> matches;   // indicator -> names that matched
};

indicator_result indicators_of(const core::exposure& e);

// Lower-case, every run of non-alphanumerics becomes one '_': "READ__ME-to recover" ->
// "read_me_to_recover". Exposed for tests.
std::string normalise_name(std::string_view name);

}  // namespace ajar::findings
