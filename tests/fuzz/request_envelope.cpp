// bib::decode_envelope (sdk/src/codec.cpp), what every socket does first with a message: it
// never crashes, and an accepted envelope survives encode_envelope() and a second decode with
// its service, data and flat fields unchanged.
#include "bib/codec.hpp"
#include "fuzz_support.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace bib;
  Result<Envelope> decoded = decode_envelope(fuzz::text_of(data, size));
  if (!decoded) return 0;
  const Envelope& first = decoded.value();
  (void)first.to_string();  // the wire log's line
  Result<Envelope> again = decode_envelope(encode_envelope(first));
  fuzz::check(again.ok(), "decode_envelope() refuses what encode_envelope() wrote");
  const Envelope& second = again.value();
  fuzz::check(first.service == second.service, "service changed in a round trip");
  fuzz::check(fuzz::same(first.data, second.data), "data changed in a round trip");
  fuzz::check(fuzz::same(Value(first.flat), Value(second.flat)), "flat fields changed in a round trip");
  return 0;
}
