// JSON <-> Value, for command-line tools (request data typed on the command line, replies
// printed for scripts) and for the json persistence plugin.
//   {"user": "ana", "limit": 10, "tags": ["a", "b"], "ok": true, "x": null, "t": 1.5}
// Integers stay integers, numbers with a fraction or exponent become floats; strings are
// UTF-8 (\uXXXX escapes, surrogate pairs included, are decoded).
#pragma once

#include <string>
#include <string_view>

#include "bib/export.hpp"
#include "bib/result.hpp"
#include "bib/value.hpp"

namespace bib {

BIB_SDK_API Result<Value> parse_json(std::string_view text);
// One line of strict JSON (NaN and infinities, which JSON cannot carry, become null).
BIB_SDK_API std::string to_json(const Value& value);

}  // namespace bib
