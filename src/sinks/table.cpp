#include <algorithm>
#include <ostream>
#include <vector>

#include <fmt/format.h>

#include "sinks/sink.hpp"

namespace ajar::sinks {

namespace {

// Open first: the rows a person must act on lead the table.
int auth_rank(core::auth a) {
  switch (a) {
    case core::auth::none: return 0;
    case core::auth::unclaimed: return 1;
    case core::auth::restricted: return 3;
    case core::auth::required: return 2;
    case core::auth::unknown: return 4;
  }
  return 4;
}


std::string exposure_cell(const core::finding& f) {
  auto text = exposure_summary(f.what.exposure);
  if (!f.indicators.empty()) text += fmt::format("{}[{}]", text.empty() ? "" : " ", fmt::join(f.indicators, ", "));
  return text;
}

class table_sink final : public sink {
 public:
  table_sink(std::ostream& out, bool color) : out_(out), color_(color) {}

 protected:
  void write_(const core::finding& f) override { rows_.push_back(f); }

  void finish_() override {
    if (rows_.empty()) {
      out_ << "no services identified\n";
      out_.flush();
      return;
    }
    std::stable_sort(rows_.begin(), rows_.end(), [](const auto& a, const auto& b) {
      auto ka = std::tuple(auth_rank(a.what.verdict), -static_cast<int>(a.severity), a.where);
      auto kb = std::tuple(auth_rank(b.what.verdict), -static_cast<int>(b.severity), b.where);
      return ka < kb;
    });
    std::vector<std::vector<std::string>> cells;
    cells.push_back({"ADDRESS", "SERVICE", "PRODUCT", "VERSION", "AUTH", "SEVERITY", "EXPOSURE", "EVIDENCE"});
    for (const auto& f : rows_) {
      auto addr = f.where.ip.is_v4() ? fmt::format("{}:{}", f.where.ip, f.where.port)
                                      : fmt::format("[{}]:{}", f.where.ip, f.where.port);
      if (f.what.tls) addr += " (tls)";
      cells.push_back({addr, f.what.service, f.what.product.empty() ? "-" : f.what.product,
                       f.what.version.empty() ? "-" : f.what.version,
                       std::string(core::to_string(f.what.verdict)),
                       std::string(core::to_string(f.severity)), exposure_cell(f),
                       f.what.evidence});
    }
    write_columns(out_, cells, [&](std::size_t r, std::size_t c) -> std::string_view {
      return color_ && (c == 4 || c == 5) ? severity_color(rows_[r].severity) : "";
    });
    std::size_t open = 0, secured = 0, restricted = 0;
    for (const auto& f : rows_) {
      if (f.what.verdict == core::auth::none || f.what.verdict == core::auth::unclaimed) ++open;
      if (f.what.verdict == core::auth::required) ++secured;
      if (f.what.verdict == core::auth::restricted) ++restricted;
    }
    out_ << fmt::format("\n{} service{} identified: {} open without credentials, {} asking for "
                        "credentials, {} restricted\n",
                        rows_.size(), rows_.size() == 1 ? "" : "s", open, secured, restricted);
    out_.flush();
  }

 private:
  std::ostream& out_;
  bool color_;
  std::vector<core::finding> rows_;
};

}  // namespace

std::string_view severity_color(core::severity s) {
  switch (s) {
    case core::severity::critical: return "\x1b[1;31m";
    case core::severity::high: return "\x1b[31m";
    case core::severity::medium: return "\x1b[33m";
    case core::severity::low: return "\x1b[36m";
    case core::severity::info: return "\x1b[2m";
  }
  return "";
}

void write_columns(std::ostream& out, const std::vector<std::vector<std::string>>& cells,
                   const std::function<std::string_view(std::size_t row, std::size_t column)>& color) {
  // Display width of UTF-8 text, counting code points (enough for our columns).
  auto width = [](std::string_view s) {
    return static_cast<std::size_t>(
        std::count_if(s.begin(), s.end(), [](char c) { return (static_cast<unsigned char>(c) & 0xC0) != 0x80; }));
  };
  if (cells.empty()) return;
  std::vector<std::size_t> widths(cells.front().size(), 0);
  for (const auto& row : cells)
    for (std::size_t c = 0; c < row.size() && c < widths.size(); ++c) widths[c] = std::max(widths[c], width(row[c]));
  for (std::size_t r = 0; r < cells.size(); ++r) {
    std::string line;
    for (std::size_t c = 0; c < cells[r].size(); ++c) {
      const auto& text = cells[r][c];
      bool last = c + 1 == cells[r].size();
      std::string pad = last || c >= widths.size() ? "" : std::string(widths[c] - width(text) + 2, ' ');
      std::string_view paint = r > 0 ? color(r - 1, c) : std::string_view{};
      if (!paint.empty()) {
        line += fmt::format("{}{}\x1b[0m{}", paint, text, pad);
      } else {
        line += text + pad;
      }
    }
    out << line << '\n';
  }
}

std::unique_ptr<sink> make_table_sink(std::ostream& out, bool color) {
  return std::make_unique<table_sink>(out, color);
}

}  // namespace ajar::sinks
