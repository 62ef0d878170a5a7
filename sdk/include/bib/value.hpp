// bib::Value: the in-memory form of MessagePack data (nil, bool, integer, float, string,
// array, map with string keys). Every request, reply, event and plugin config is a Value.
//
// Typed accessors fail with bib::FieldError naming the field and the expected type, e.g.
//   data.get_string("user")  ->  FieldError: field 'user' must be a string, got integer
// so a handler can read its fields plainly and let the host turn the error into an
// `erro` reply.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "bib/export.hpp"

namespace bib {

class Value;
using Array = std::vector<Value>;
using Map = std::map<std::string, Value, std::less<>>;

// A field is missing or has the wrong type. what() is the sentence to show the client.
class BIB_SDK_API FieldError : public std::runtime_error {
 public:
  FieldError(std::string field, const std::string& message);
  const std::string& field() const noexcept { return field_; }

 private:
  std::string field_;
};

class BIB_SDK_API Value {
 public:
  enum class Type { nil, boolean, integer, floating, string, array, map };

  Value() = default;
  Value(std::nullptr_t) {}                                  // NOLINT
  Value(bool b) : v_(b) {}                                  // NOLINT
  Value(int i) : v_(std::int64_t{i}) {}                     // NOLINT
  Value(long i) : v_(std::int64_t{i}) {}                    // NOLINT
  Value(long long i) : v_(std::int64_t{i}) {}               // NOLINT
  Value(unsigned i) : v_(std::int64_t{i}) {}                // NOLINT
  Value(unsigned long i);                                   // NOLINT: throws above INT64_MAX
  Value(unsigned long long i);                              // NOLINT: throws above INT64_MAX
  Value(double d) : v_(d) {}                                // NOLINT
  Value(const char* s) : v_(std::string(s)) {}              // NOLINT
  Value(std::string s) : v_(std::move(s)) {}                // NOLINT
  Value(std::string_view s) : v_(std::string(s)) {}         // NOLINT
  Value(Array a) : v_(std::move(a)) {}                      // NOLINT
  Value(Map m) : v_(std::move(m)) {}                        // NOLINT

  // Out of line on purpose: inlined, GCC 12 -O2 reports a false -Wmaybe-uninitialized in
  // the variant's move for code as plain as `array.push_back(1)`, which -Werror turns fatal.
  Value(const Value& other);
  Value(Value&& other) noexcept;
  Value& operator=(const Value& other);
  Value& operator=(Value&& other) noexcept;

  Type type() const noexcept { return static_cast<Type>(v_.index()); }
  static const char* type_name(Type t) noexcept;  // "nil", "bool", "integer", "float", ...

  bool is_nil() const noexcept { return type() == Type::nil; }
  bool is_bool() const noexcept { return type() == Type::boolean; }
  bool is_int() const noexcept { return type() == Type::integer; }
  bool is_double() const noexcept { return type() == Type::floating; }
  bool is_number() const noexcept { return is_int() || is_double(); }
  bool is_string() const noexcept { return type() == Type::string; }
  bool is_array() const noexcept { return type() == Type::array; }
  bool is_map() const noexcept { return type() == Type::map; }

  // This value as a given type; throw FieldError (field "") on a mismatch.
  // as_double() also accepts an integer.
  bool as_bool() const;
  std::int64_t as_int() const;
  double as_double() const;
  const std::string& as_string() const;
  const Array& as_array() const;
  Array& as_array();
  const Map& as_map() const;
  Map& as_map();

  // Map fields. find() returns nullptr when this is not a map or the key is absent.
  const Value* find(std::string_view key) const;
  bool contains(std::string_view key) const { return find(key) != nullptr; }
  // Required fields: throw FieldError "field 'k' is missing" / "field 'k' must be a T, got U".
  const Value& at(std::string_view key) const;
  bool get_bool(std::string_view key) const;
  std::int64_t get_int(std::string_view key) const;
  double get_double(std::string_view key) const;
  const std::string& get_string(std::string_view key) const;
  const Array& get_array(std::string_view key) const;
  const Map& get_map(std::string_view key) const;
  // Optional fields: empty when absent or nil; FieldError when present with another type.
  std::optional<bool> opt_bool(std::string_view key) const;
  std::optional<std::int64_t> opt_int(std::string_view key) const;
  std::optional<double> opt_double(std::string_view key) const;
  std::optional<std::string> opt_string(std::string_view key) const;

  // Inserting access: turns a nil value into an empty map first; throws on other types.
  Value& operator[](std::string_view key);

  bool operator==(const Value& other) const = default;

  // One readable line in JSON-like form, for logs: {"user": "ana", "clock": 3}.
  // Long strings are shown whole; use max_chars to cut the line (0 = no limit).
  std::string to_string(std::size_t max_chars = 0) const;

  using Storage = std::variant<std::monostate, bool, std::int64_t, double, std::string, Array, Map>;
  const Storage& storage() const noexcept { return v_; }

 private:
  Storage v_;
};

}  // namespace bib
