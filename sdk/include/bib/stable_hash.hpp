// A 64-bit hash of bytes that is the same in every build and on every machine (FNV-1a, then
// splitmix64's finaliser to spread FNV's weak low bits), for what replicas compare or sum:
// the event digest, the request ids an ordered log remembers. std::hash promises neither.
#pragma once

#include <cstdint>
#include <string_view>

namespace bib {

inline std::uint64_t stable_hash(std::string_view bytes) noexcept {
  std::uint64_t hash = 0xcbf29ce484222325ULL;
  for (unsigned char c : bytes) {
    hash ^= c;
    hash *= 0x100000001b3ULL;
  }
  hash ^= hash >> 30;
  hash *= 0xbf58476d1ce4e5b9ULL;
  hash ^= hash >> 27;
  hash *= 0x94d049bb133111ebULL;
  hash ^= hash >> 31;
  return hash;
}

}  // namespace bib
