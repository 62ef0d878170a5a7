// spdlog's logger, as every BulletInBoard source includes it: with fmt's formatting engine
// compiled once instead of again in each source.
//
// fmt 9's <fmt/format.h> (spdlog includes it) defines that engine, the template
// fmt::detail::vformat_to<char> (the format-string parser, the integer and floating-point
// writers), without declaring extern the instantiation that libfmt holds and exports. Each source
// that logs then instantiated and compiled its own copy: about 290 KB of object code, half of the
// source's compile time under either compiler (docs/testing.md, "Build and CI speed"). The
// declaration below makes every call go to one copy: libfmt's under GCC, the SDK's under clang
// (sdk/src/fmt_engine.cpp says why). Only for the project's own build (BIB_FMT_ENGINE_EXTERN, set
// by its CMakeLists.txt); tests/hygiene fails when an object file of the build holds a copy again
// (a source that reached spdlog without this header).
#pragma once

#include <spdlog/logger.h>

#if defined(BIB_FMT_ENGINE_EXTERN) && defined(SPDLOG_FMT_EXTERNAL) && !defined(FMT_HEADER_ONLY) && \
    FMT_VERSION >= 90000 && FMT_VERSION < 100000
#define BIB_FMT_ENGINE_IS_EXTERN 1
extern template FMT_API void fmt::detail::vformat_to<char>(fmt::detail::buffer<char>&, fmt::string_view,
                                                           fmt::format_args, fmt::detail::locale_ref);
#endif
