// The dashboard's static files (src/serve/assets/), embedded into the binary at build time by
// src/serve/assets/embed.cmake: nothing is read from disk or fetched from a network at view time.
#pragma once

#include <string_view>

namespace ajar::serve::assets {

std::string_view app_css();
std::string_view app_js();
std::string_view favicon_svg();

}  // namespace ajar::serve::assets
