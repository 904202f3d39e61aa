# Project-wide compile settings, applied to our own targets only (not to dependencies).
add_library(ajar_options INTERFACE)
add_library(ajar::options ALIAS ajar_options)
target_compile_options(ajar_options INTERFACE
  -Wall -Wextra -Wpedantic -Wshadow -Wnon-virtual-dtor -Wold-style-cast
  -Wcast-align -Wunused -Woverloaded-virtual -Wconversion -Wsign-conversion
  -Wnull-dereference -Wimplicit-fallthrough)
# Asio's coroutine machinery trips a few of these in its own headers; keep them quiet.
target_compile_definitions(ajar_options INTERFACE
  BOOST_ASIO_NO_DEPRECATED BOOST_ASIO_HAS_CO_AWAIT)
if(AJAR_SANITIZE)
  target_compile_options(ajar_options INTERFACE -fsanitize=address,undefined -fno-omit-frame-pointer
                                                -fno-sanitize-recover=undefined)
  target_link_options(ajar_options INTERFACE -fsanitize=address,undefined)
endif()
