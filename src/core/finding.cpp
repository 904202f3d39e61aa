#include "core/finding.hpp"

#include <ctime>

namespace ajar::core {

std::string_view to_string(auth a) noexcept {
  switch (a) {
    case auth::none: return "none";
    case auth::unclaimed: return "unclaimed";
    case auth::required: return "required";
    case auth::restricted: return "restricted";
    case auth::unknown: return "unknown";
  }
  return "unknown";
}

std::string_view to_string(severity s) noexcept {
  switch (s) {
    case severity::info: return "info";
    case severity::low: return "low";
    case severity::medium: return "medium";
    case severity::high: return "high";
    case severity::critical: return "critical";
  }
  return "info";
}

std::optional<severity> parse_severity(std::string_view s) noexcept {
  for (auto v : {severity::info, severity::low, severity::medium, severity::high, severity::critical})
    if (to_string(v) == s) return v;
  return std::nullopt;
}

std::string_view to_string(status s) noexcept {
  switch (s) {
    case status::ok: return "ok";
    case status::connection_refused: return "connection-refused";
    case status::connect_timeout: return "connect-timeout";
    case status::io_timeout: return "io-timeout";
    case status::connection_closed: return "connection-closed";
    case status::connection_reset: return "connection-reset";
    case status::protocol_error: return "protocol-error";
    case status::budget_exceeded: return "budget-exceeded";
    case status::tls_error: return "tls-error";
    case status::tls_client_cert_required: return "tls-client-cert-required";
    case status::unreachable: return "unreachable";
    case status::error: return "error";
  }
  return "error";
}

std::string format_utc(std::chrono::system_clock::time_point t) {
  std::time_t secs = std::chrono::system_clock::to_time_t(t);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

}  // namespace ajar::core
