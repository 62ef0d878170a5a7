// The one copy of fmt's formatting engine that clang-built code calls (bib/logger.hpp).
//
// Under GCC the calls bind to libfmt's own copy. Clang 14 mangles the engine's signature
// differently from GCC, which built Debian's libfmt (the dependent std::conditional<std::is_same
// ...> in its argument type), so a clang-built call names a symbol libfmt does not have; the SDK,
// which every process and plugin of the project links, holds it instead. FMT_API exports it.
#include "bib/logger.hpp"

#if defined(BIB_FMT_ENGINE_IS_EXTERN) && defined(__clang__)
template FMT_API void fmt::detail::vformat_to<char>(fmt::detail::buffer<char>&, fmt::string_view,
                                                    fmt::format_args, fmt::detail::locale_ref);
#endif
