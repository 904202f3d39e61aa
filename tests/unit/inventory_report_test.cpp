// The report's building blocks: escaping (names and evidence come from scanned servers) and the
// server-side SVG chart.
#include <gtest/gtest.h>

#include <sstream>

#include "inventory/report.hpp"
#include "inventory_backends.hpp"

namespace ajar::inventory {
namespace {

TEST(report, escapes_everything_that_could_open_markup) {
  EXPECT_EQ(html_escape(R"x(<img src=x onerror="a('b')">&amp;)x"),
            "&lt;img src=x onerror=&quot;a(&#39;b&#39;)&quot;&gt;&amp;amp;");
  EXPECT_EQ(html_escape("plain text 123"), "plain text 123");
}

TEST(report, chart_is_one_svg_with_a_point_per_scan) {
  std::vector<store::open_point> pts = {
      {1, 1'700'000'000'000, 2}, {2, 1'700'086'400'000, 5}, {3, 1'700'172'800'000, 0}};
  auto svg = open_chart_svg(pts);
  EXPECT_TRUE(svg.starts_with("<svg xmlns=\"http://www.w3.org/2000/svg\""));
  EXPECT_TRUE(svg.ends_with("</svg>"));
  std::size_t circles = 0;
  for (auto p = svg.find("<circle"); p != std::string::npos; p = svg.find("<circle", p + 1))
    ++circles;
  EXPECT_EQ(circles, 3U);
  EXPECT_NE(svg.find("scan 2: 5 open"), std::string::npos);
  EXPECT_NE(svg.find("2023-11-14"), std::string::npos);  // first day label
  EXPECT_EQ(open_chart_svg({}), "<p class=\"muted\">No scans recorded yet.</p>");
  // One scan, or all at one instant, still draws (no division by zero).
  EXPECT_NE(open_chart_svg({{1, 5, 1}}).find("<circle"), std::string::npos);
}

TEST(report, an_empty_inventory_still_makes_a_whole_page) {
  test::fresh_backend b("sqlite");
  auto st = store::open(b.where());
  std::ostringstream out;
  write_report(*st, out, 1'700'000'000'000);
  auto html = out.str();
  EXPECT_TRUE(html.starts_with("<!DOCTYPE html>"));
  EXPECT_NE(html.find("Nothing open."), std::string::npos);
  EXPECT_NE(html.find("</html>"), std::string::npos);
  EXPECT_EQ(html.find("<script"), std::string::npos);
}

}  // namespace
}  // namespace ajar::inventory
