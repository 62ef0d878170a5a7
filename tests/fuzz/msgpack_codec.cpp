// bib::decode (sdk/src/codec.cpp) on any bytes: it never crashes, and whatever it accepts
// survives a round trip: encode() writes bytes that decode to the same Value, and encoding
// that Value again gives the same bytes.
#include "bib/codec.hpp"
#include "fuzz_support.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace bib;
  Result<Value> decoded = decode(fuzz::text_of(data, size));
  if (!decoded) return 0;
  const std::string encoded = encode(decoded.value());
  Result<Value> again = decode(encoded);
  fuzz::check(again.ok(), "decode() refuses what encode() wrote");
  fuzz::check(fuzz::same(decoded.value(), again.value()), "a decoded Value changed in a round trip");
  fuzz::check(encode(again.value()) == encoded, "encode() wrote other bytes for the same Value");
  (void)decoded.value().to_string(200);  // the wire log's line of every message
  return 0;
}
