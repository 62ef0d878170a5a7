// What the fuzz targets share: a check that aborts, so that libFuzzer keeps the input as a crash
// (a wrong answer is a finding like a crash), and Value equality for round trips.
#pragma once

#include <stdlib.h>

#include <bit>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <string_view>

#include "bib/value.hpp"

namespace bib::fuzz {

inline std::string_view text_of(const std::uint8_t* data, std::size_t size) {
  return {reinterpret_cast<const char*>(data), size};
}

[[noreturn]] inline void fail(const char* what) {
  std::fprintf(stderr, "fuzz check failed: %s\n", what);
  std::abort();
}

inline void check(bool ok, const char* what) {
  if (!ok) fail(what);
}

// A path in a folder of this process's own, removed at its exit, for readers that take a file.
// In /dev/shm when there is one: a long run writes the file millions of times, and on a disk
// each truncation costs more than the code under test.
inline std::string scratch_path(const char* name) {
  static const std::string dir = [] {
    const std::filesystem::path shm = "/dev/shm";
    const auto base = std::filesystem::is_directory(shm) ? shm : std::filesystem::temp_directory_path();
    std::string made = (base / "bib-fuzz-XXXXXX").string();
    if (mkdtemp(made.data()) == nullptr) fail("mkdtemp");
    static const std::string kept = made;
    std::atexit([] { std::filesystem::remove_all(kept); });
    return made;
  }();
  return dir + "/" + name;
}

// Value's operator== says NaN != NaN; a round trip must keep a float's exact bits instead
// (which also tells -0.0 from 0.0).
inline bool same(const Value& a, const Value& b) {
  if (a.type() != b.type()) return false;
  switch (a.type()) {
    case Value::Type::floating:
      return std::bit_cast<std::uint64_t>(a.as_double()) == std::bit_cast<std::uint64_t>(b.as_double());
    case Value::Type::array: {
      const Array& x = a.as_array();
      const Array& y = b.as_array();
      if (x.size() != y.size()) return false;
      for (std::size_t i = 0; i < x.size(); ++i)
        if (!same(x[i], y[i])) return false;
      return true;
    }
    case Value::Type::map: {
      const Map& x = a.as_map();
      const Map& y = b.as_map();
      if (x.size() != y.size()) return false;
      for (auto i = x.begin(), j = y.begin(); i != x.end(); ++i, ++j)
        if (i->first != j->first || !same(i->second, j->second)) return false;
      return true;
    }
    default:
      return a == b;
  }
}

}  // namespace bib::fuzz
