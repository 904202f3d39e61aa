#include "findings/severity.hpp"

namespace ajar::findings {

namespace {

// Caches hold copies of data (sessions, tokens, rendered pages) that expire; a database is the
// data itself. An open cache is serious, an open database is the breach this tool exists for.
bool is_cache(const core::observation& o) { return o.service == "memcached"; }

bool has_data(const core::exposure& e) {
  auto positive = [](const std::optional<std::int64_t>& v) { return v && *v > 0; };
  return positive(e.keys) || positive(e.items) || positive(e.rows) || positive(e.tables) ||
         positive(e.bytes) || positive(e.databases) || positive(e.indices) ||
         positive(e.collections) || positive(e.documents) || !e.names.empty();
}

}  // namespace

core::severity rate(const core::observation& o) noexcept {
  using core::auth;
  using core::severity;
  switch (o.verdict) {
    case auth::none:
      if (is_cache(o)) return severity::high;
      // Reading metadata without a password already proves anyone can read and write; with no
      // data found yet it is still one import away from a breach.
      return has_data(o.exposure) ? severity::critical : severity::high;
    case auth::unclaimed:
      return severity::critical;  // the first caller becomes the administrator
    case auth::required:
      return severity::low;       // reachable, but asks for a credential
    case auth::restricted:
    case auth::unknown:
      return severity::info;
  }
  return severity::info;
}

}  // namespace ajar::findings
