// The naming rule of docs/protocol.md for users, channels and servers:
// non-empty UTF-8, at most 64 bytes, no control characters.
//   "server-1" -> ok;  "" -> "name is empty";  "a\nb" -> "name contains a control character"
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

#include "bib/export.hpp"

namespace bib {

inline constexpr std::size_t kMaxNameBytes = 64;

// Empty when the name is acceptable; otherwise the reason, as a sentence for an `erro` reply.
BIB_SDK_API std::optional<std::string> name_problem(std::string_view name);

// The rule minus emptiness and length, for other text fields (addresses): empty when the text
// is valid UTF-8 without control characters, else the reason.
BIB_SDK_API std::optional<std::string> text_problem(std::string_view text);

// True when text is well-formed UTF-8 (no overlong forms, no surrogates, at most U+10FFFF).
BIB_SDK_API bool is_valid_utf8(std::string_view text);

}  // namespace bib
