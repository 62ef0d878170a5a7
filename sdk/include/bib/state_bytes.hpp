// A compact byte format for checkpoints (docs/persistence.md, "Restart in constant time"): what a
// plugin saves so that a restart need not re-apply the whole history. Fixed-width integers in
// the machine's byte order, strings and vectors with their length first; a checkpoint is read
// back on the machine that wrote it (its header carries a byte-order mark).
//
//   StateWriter out;  out.u64(users.size());  for (auto& u : users) out.str(u);
//   StateReader in(bytes);  auto n = in.u64();  ...  in.expect_end();
//
// Reading never trusts the bytes: a length beyond what is left, or bytes left over, throws
// std::runtime_error, so a torn or foreign checkpoint is refused, not half-loaded.
#pragma once

#include <cstdint>
#include <cstring>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

#include "bib/stable_hash.hpp"

namespace bib {

class StateWriter {
 public:
  void u64(std::uint64_t v) { raw(&v, sizeof v); }
  void f64(double v) { raw(&v, sizeof v); }
  void str(std::string_view s) {
    u64(s.size());
    out_.append(s);
  }
  // Trivially copyable elements, copied as they lie in memory.
  template <class T>
  void pod_vector(const std::vector<T>& v) {
    static_assert(std::is_trivially_copyable_v<T>);
    u64(v.size());
    raw(v.data(), v.size() * sizeof(T));
  }
  void reserve(std::size_t bytes) { out_.reserve(bytes); }
  std::string take() { return std::move(out_); }
  std::size_t size() const noexcept { return out_.size(); }

 private:
  void raw(const void* p, std::size_t n) { out_.append(static_cast<const char*>(p), n); }
  std::string out_;
};

class StateReader {
 public:
  explicit StateReader(std::string_view bytes) : in_(bytes) {}

  std::uint64_t u64() { return fixed<std::uint64_t>(); }
  double f64() { return fixed<double>(); }
  std::string str() { return std::string(view()); }
  // The same bytes as str(), not copied: valid while the bytes read are.
  std::string_view view() {
    const std::uint64_t n = u64();
    require(n);
    const std::string_view s = in_.substr(0, n);
    in_.remove_prefix(n);
    return s;
  }
  template <class T>
  std::vector<T> pod_vector() {
    static_assert(std::is_trivially_copyable_v<T>);
    const std::uint64_t n = u64();
    if (n > in_.size() / sizeof(T)) fail();
    // Element by element into reserved room: a vector of n would be zeroed first, a pass over
    // memory (and its page faults) that a large checkpoint feels.
    std::vector<T> v;
    v.reserve(n);
    for (std::uint64_t i = 0; i < n; ++i) {
      T item;
      std::memcpy(&item, in_.data() + i * sizeof(T), sizeof(T));
      v.push_back(item);
    }
    in_.remove_prefix(n * sizeof(T));
    return v;
  }
  // A count of items each at least min_bytes long: refused when the rest cannot hold them,
  // so a corrupt count never makes a huge allocation.
  std::uint64_t count(std::size_t min_bytes) {
    const std::uint64_t n = u64();
    if (min_bytes > 0 && n > in_.size() / min_bytes) fail();
    return n;
  }
  std::size_t left() const noexcept { return in_.size(); }
  void expect_end() const {
    if (!in_.empty()) throw std::runtime_error("checkpoint state: " + std::to_string(in_.size()) + " unexpected bytes at the end");
  }

 private:
  template <class T>
  T fixed() {
    require(sizeof(T));
    T v;
    std::memcpy(&v, in_.data(), sizeof(T));
    in_.remove_prefix(sizeof(T));
    return v;
  }
  void require(std::uint64_t n) const {
    if (n > in_.size()) fail();
  }
  [[noreturn]] static void fail() { throw std::runtime_error("checkpoint state: truncated or corrupt"); }

  std::string_view in_;
};

// A 64-bit checksum of a checkpoint's bytes, eight at a time (stable_hash goes one byte at a
// time: too slow for the hundred MiB of a large checkpoint, read at every start).
inline std::uint64_t checksum64(std::string_view bytes) noexcept {
  std::uint64_t hash = 0x9e3779b97f4a7c15ULL ^ bytes.size();
  std::size_t i = 0;
  for (; i + 8 <= bytes.size(); i += 8) {
    std::uint64_t word;
    std::memcpy(&word, bytes.data() + i, 8);
    hash = (hash ^ word) * 0xff51afd7ed558ccdULL;
    hash ^= hash >> 32;
  }
  return hash ^ stable_hash(bytes.substr(i));
}

// A checkpoint's bytes with a checksum64 after them, and back: nothing when it does not match
// (a torn or altered file).
inline std::string with_hash(std::string bytes) {
  const std::uint64_t hash = checksum64(bytes);
  bytes.reserve(bytes.size() + sizeof hash);
  bytes.append(reinterpret_cast<const char*>(&hash), sizeof hash);
  return bytes;
}

inline std::optional<std::string_view> without_hash(std::string_view bytes) {
  std::uint64_t hash = 0;
  if (bytes.size() < sizeof hash) return std::nullopt;
  std::memcpy(&hash, bytes.data() + bytes.size() - sizeof hash, sizeof hash);
  bytes.remove_suffix(sizeof hash);
  if (checksum64(bytes) != hash) return std::nullopt;
  return bytes;
}

// The first word of a checkpoint: its kind, and a byte-order mark (it reads back differently
// on a machine of the other order, which must not load it).
inline constexpr std::uint64_t kByteOrderMark = 0x0102030405060708ULL;

}  // namespace bib
