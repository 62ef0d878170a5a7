// The shape of an error reply (docs/protocol.md, "Status words"), built and recognised in one
// place by every plugin, the host, the broker and the clients:
//
//   {"status": "erro", "description": "unknown channel 'geral'", "message": "unknown channel 'geral'"}
//
// Both fields carry the text: login and channel clients of the original protocol read
// `description`, publish and message clients read `message`.
#pragma once

#include <string>
#include <string_view>

#include "bib/export.hpp"
#include "bib/value.hpp"

namespace bib {

inline constexpr std::string_view kStatusError = "erro";

// {"status": "erro", "description": text, "message": text}
BIB_SDK_API Value error_reply(const std::string& text);

// True when `data` is a map whose status is "erro".
BIB_SDK_API bool is_error_reply(const Value& data);

// The reason an error reply gives: its description, else its message, else "".
BIB_SDK_API std::string error_text(const Value& data);

}  // namespace bib
