// placeholder: replaced by the real probe
#include "probes/registry.hpp"
namespace ajar::probes {
namespace {
constexpr std::uint16_t ports[] = {1};
class stub final : public probe {
  const probe_info& info() const noexcept override { static const probe_info i{"clickhouse", "stub", ports}; return i; }
  asio::awaitable<core::observation> run(net::session&) const override { co_return core::observation{}; }
};
}
const probe& clickhouse_probe() { static const stub p; return p; }
}
