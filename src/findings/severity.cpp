#include "findings/severity.hpp"

#include <algorithm>

namespace ajar::findings {

namespace {

bool has_data(const core::exposure& e) {
  auto positive = [](const std::optional<std::int64_t>& v) { return v && *v > 0; };
  return positive(e.keys) || positive(e.items) || positive(e.rows) || positive(e.tables) ||
         positive(e.bytes) || positive(e.databases) || positive(e.indices) ||
         positive(e.collections) || positive(e.documents) || !e.names.empty();
}

}  // namespace

core::severity rate(const core::observation& o, const std::vector<std::string>& indicators) noexcept {
  using core::auth;
  using core::severity;
  bool ransom = std::find(indicators.begin(), indicators.end(), "ransom-note") != indicators.end();
  switch (o.verdict) {
    case auth::none:
    case auth::unclaimed:
      // Anyone can read (and usually write): with data behind it, or a ransom note already
      // there, this is the breach ajar exists to find.
      return has_data(o.exposure) || ransom ? severity::critical : severity::high;
    case auth::restricted:
      return severity::medium;  // a database answers here; only a host rule keeps us out
    case auth::required:
      return severity::low;     // reachable, but asks for a credential
    case auth::unknown:
      return severity::info;    // identified only
  }
  return severity::info;
}

}  // namespace ajar::findings
