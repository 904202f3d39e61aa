#include "engine/progress.hpp"

#include <fmt/format.h>

namespace ajar::engine {

namespace {

double percent(const progress_snapshot& s) {
  return s.total == 0 ? 100.0 : 100.0 * static_cast<double>(s.done) / static_cast<double>(s.total);
}

// Remaining time at the current rate; nullopt-like -1 when unknown.
double eta_seconds(const progress_snapshot& s) {
  if (s.rate <= 0 || s.done >= s.total) return s.done >= s.total ? 0 : -1;
  return static_cast<double>(s.total - s.done) / s.rate;
}

}  // namespace

std::string format_status_line(const progress_snapshot& s) {
  double eta = eta_seconds(s);
  std::string eta_text = "--:--:--";
  if (eta >= 0) {
    auto secs = static_cast<long long>(eta + 0.5);
    eta_text = fmt::format("{}:{:02}:{:02}", secs / 3600, secs / 60 % 60, secs % 60);
  }
  return fmt::format("{}/{} ({:.1f}%)  {:.0f}/s  open {}  found {}  errors {}  ETA {}", s.done, s.total,
                     percent(s), s.rate, s.open, s.identified, s.errors, eta_text);
}

std::string format_status_json(const progress_snapshot& s) {
  double eta = eta_seconds(s);
  return fmt::format(
      R"({{"done":{},"total":{},"percent":{:.2f},"rate":{:.1f},"open":{},"found":{},"errors":{},)"
      R"("elapsed_s":{:.1f},"eta_s":{}}})",
      s.done, s.total, percent(s), s.rate, s.open, s.identified, s.errors, s.elapsed_s,
      eta < 0 ? std::string("null") : fmt::format("{:.1f}", eta));
}

}  // namespace ajar::engine
