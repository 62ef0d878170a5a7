// MessagePack encoding of Values and of the wire envelope {"service": <string>, "data": <map>}.
// Decoding never throws: malformed, truncated, too deep, too large or mistyped input comes
// back as an Error with a readable message.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "bib/export.hpp"
#include "bib/result.hpp"
#include "bib/value.hpp"

namespace bib {

// Bounds applied while decoding untrusted bytes.
struct DecodeLimits {
  std::size_t max_bytes = 1024 * 1024;  // whole message
  std::size_t max_depth = 32;           // nesting of arrays/maps
  std::size_t max_items = 100000;       // elements of any one array or map
};

BIB_SDK_API std::string encode(const Value& value);
BIB_SDK_API Result<Value> decode(std::string_view bytes, const DecodeLimits& limits = {});

// The message every socket carries (docs/protocol.md).
struct BIB_SDK_API Envelope {
  std::string service;
  Value data = Map{};
  // More fields at the top level, beside service and data. Publications carry their data's
  // fields there again with `type` and `topic`, for subscribers written for the original
  // implementation, which read flat maps (publication() in bib/messaging.hpp). A decoded
  // message keeps here whatever else its top level held.
  Map flat = {};

  // One readable line with every field, for the message logs:
  //   publish {"user": "ana", "channel": "geral", "message": "oi", "clock": 7, ...}
  // followed by the flat fields that are not data's own again: +{"topic": "geral", "type": "channel"}
  std::string to_string() const;
};

BIB_SDK_API std::string encode_envelope(const Envelope& envelope);
// Requires a map with a string "service"; "data" must be a map when present (absent = {}).
BIB_SDK_API Result<Envelope> decode_envelope(std::string_view bytes, const DecodeLimits& limits = {});

}  // namespace bib
