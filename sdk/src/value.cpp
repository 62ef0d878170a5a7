#include "bib/value.hpp"

#include <charconv>
#include <cstdint>
#include <cstdio>
#include <limits>
#include <string>

namespace bib {

namespace {

constexpr auto kInt64Max = static_cast<unsigned long long>(std::numeric_limits<std::int64_t>::max());

std::int64_t checked_int64(unsigned long long i) {
  if (i > kInt64Max) throw std::out_of_range("integer " + std::to_string(i) + " is above INT64_MAX");
  return static_cast<std::int64_t>(i);
}

// "a string", "an integer": the type as it reads in an error sentence.
std::string with_article(Value::Type t) {
  const bool an = t == Value::Type::integer || t == Value::Type::array;
  return std::string(an ? "an " : "a ") + Value::type_name(t);
}

[[noreturn]] void throw_expected(Value::Type want, Value::Type got) {
  throw FieldError("", "expected " + with_article(want) + ", got " + Value::type_name(got));
}

[[noreturn]] void throw_mistyped(std::string_view key, Value::Type want, Value::Type got) {
  std::string k(key);
  throw FieldError(k, "field '" + k + "' must be " + with_article(want) + ", got " +
                          Value::type_name(got));
}

// The field as type T, or FieldError naming the field. Nil counts as present here.
template <class T>
const T& typed_field(const Value& self, std::string_view key, Value::Type want) {
  const Value& v = self.at(key);
  if (const T* p = std::get_if<T>(&v.storage())) return *p;
  throw_mistyped(key, want, v.type());
}

// Optional fields: nullptr when absent or nil.
const Value* present(const Value& self, std::string_view key) {
  const Value* v = self.find(key);
  return v == nullptr || v->is_nil() ? nullptr : v;
}

template <class T>
std::optional<T> opt_field(const Value& self, std::string_view key, Value::Type want) {
  const Value* v = present(self, key);
  if (v == nullptr) return std::nullopt;
  if (const T* p = std::get_if<T>(&v->storage())) return *p;
  throw_mistyped(key, want, v->type());
}

// Writes the JSON-like line; stops early once past `limit` bytes (0 = none).
class Writer {
 public:
  explicit Writer(std::size_t limit) : limit_(limit) {}

  bool full() const { return limit_ != 0 && out_.size() > limit_; }

  void value(const Value& v) {
    if (full()) return;
    switch (v.type()) {
      case Value::Type::nil: out_ += "null"; break;
      case Value::Type::boolean: out_ += v.as_bool() ? "true" : "false"; break;
      case Value::Type::integer: out_ += std::to_string(v.as_int()); break;
      case Value::Type::floating: floating(v.as_double()); break;
      case Value::Type::string: string(v.as_string()); break;
      case Value::Type::array: array(v.as_array()); break;
      case Value::Type::map: map(v.as_map()); break;
    }
  }

  // Quoted, with every byte that could break or forge a log line escaped: C0 and C1
  // controls, DEL, U+2028/U+2029 as \uXXXX; bytes that are not UTF-8 as \xNN.
  void string(std::string_view s) {
    out_ += '"';
    for (std::size_t i = 0; i < s.size() && !full();) {
      const auto c = static_cast<unsigned char>(s[i]);
      if (c == '"' || c == '\\') {
        out_ += '\\';
        out_ += static_cast<char>(c);
        ++i;
      } else if (c < 0x20 || c == 0x7f) {
        escape_u(c);
        ++i;
      } else if (c < 0x80) {
        out_ += static_cast<char>(c);
        ++i;
      } else {
        i += utf8(s.substr(i));
      }
    }
    out_ += '"';
  }

  std::string take() {
    if (!full()) return std::move(out_);
    // Cut on a character boundary, never inside a UTF-8 sequence.
    std::size_t n = limit_;
    while (n > 0 && (static_cast<unsigned char>(out_[n]) & 0xc0) == 0x80) --n;
    out_.resize(n);
    out_ += "…";
    return std::move(out_);
  }

 private:
  void floating(double d) {
    char buf[64];
    auto [end, ec] = std::to_chars(buf, buf + sizeof buf, d);  // shortest exact form
    std::string_view text(buf, ec == std::errc() ? static_cast<std::size_t>(end - buf) : 0);
    out_ += text;
    // Keep floats visibly floats: 2.0, not 2.
    if (text.find_first_of(".eEn") == std::string_view::npos) out_ += ".0";
  }

  void array(const Array& a) {
    out_ += '[';
    for (std::size_t i = 0; i < a.size() && !full(); ++i) {
      if (i) out_ += ", ";
      value(a[i]);
    }
    out_ += ']';
  }

  void map(const Map& m) {
    out_ += '{';
    bool first = true;
    for (const auto& [k, v] : m) {
      if (full()) break;
      if (!first) out_ += ", ";
      first = false;
      string(k);
      out_ += ": ";
      value(v);
    }
    out_ += '}';
  }

  void escape_u(unsigned cp) {
    char buf[8];
    std::snprintf(buf, sizeof buf, "\\u%04x", cp);
    out_ += buf;
  }

  // One UTF-8 sequence at the start of s; returns the bytes consumed.
  std::size_t utf8(std::string_view s) {
    const auto b = [&](std::size_t i) { return static_cast<unsigned char>(s[i]); };
    const unsigned c = b(0);
    std::size_t len = 0;
    unsigned cp = 0;
    unsigned min = 0;
    if (c >= 0xc2 && c <= 0xdf) { len = 2; cp = c & 0x1f; min = 0x80; }
    else if (c >= 0xe0 && c <= 0xef) { len = 3; cp = c & 0x0f; min = 0x800; }
    else if (c >= 0xf0 && c <= 0xf4) { len = 4; cp = c & 0x07; min = 0x10000; }
    bool valid = len != 0 && s.size() >= len;
    for (std::size_t i = 1; valid && i < len; ++i) {
      valid = (b(i) & 0xc0) == 0x80;
      cp = (cp << 6) | (b(i) & 0x3f);
    }
    valid = valid && cp >= min && cp <= 0x10ffff && (cp < 0xd800 || cp > 0xdfff);
    if (!valid) {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\x%02x", c);
      out_ += buf;
      return 1;
    }
    if ((cp >= 0x80 && cp <= 0x9f) || cp == 0x2028 || cp == 0x2029) escape_u(cp);
    else out_.append(s.substr(0, len));
    return len;
  }

  std::size_t limit_;
  std::string out_;
};

}  // namespace

FieldError::FieldError(std::string field, const std::string& message)
    : std::runtime_error(message), field_(std::move(field)) {}

Value::Value(const Value& other) = default;
Value::Value(Value&& other) noexcept = default;
Value& Value::operator=(const Value& other) = default;
Value& Value::operator=(Value&& other) noexcept = default;

Value::Value(unsigned long i) : v_(checked_int64(i)) {}
Value::Value(unsigned long long i) : v_(checked_int64(i)) {}

const char* Value::type_name(Type t) noexcept {
  switch (t) {
    case Type::nil: return "nil";
    case Type::boolean: return "bool";
    case Type::integer: return "integer";
    case Type::floating: return "float";
    case Type::string: return "string";
    case Type::array: return "array";
    case Type::map: return "map";
  }
  return "unknown";
}

bool Value::as_bool() const {
  if (const bool* p = std::get_if<bool>(&v_)) return *p;
  throw_expected(Type::boolean, type());
}

std::int64_t Value::as_int() const {
  if (const std::int64_t* p = std::get_if<std::int64_t>(&v_)) return *p;
  throw_expected(Type::integer, type());
}

double Value::as_double() const {
  if (const double* p = std::get_if<double>(&v_)) return *p;
  if (const std::int64_t* p = std::get_if<std::int64_t>(&v_)) return static_cast<double>(*p);
  throw_expected(Type::floating, type());
}

const std::string& Value::as_string() const {
  if (const std::string* p = std::get_if<std::string>(&v_)) return *p;
  throw_expected(Type::string, type());
}

const Array& Value::as_array() const {
  if (const Array* p = std::get_if<Array>(&v_)) return *p;
  throw_expected(Type::array, type());
}

Array& Value::as_array() {
  if (Array* p = std::get_if<Array>(&v_)) return *p;
  throw_expected(Type::array, type());
}

const Map& Value::as_map() const {
  if (const Map* p = std::get_if<Map>(&v_)) return *p;
  throw_expected(Type::map, type());
}

Map& Value::as_map() {
  if (Map* p = std::get_if<Map>(&v_)) return *p;
  throw_expected(Type::map, type());
}

const Value* Value::find(std::string_view key) const {
  const Map* m = std::get_if<Map>(&v_);
  if (m == nullptr) return nullptr;
  auto it = m->find(key);
  return it == m->end() ? nullptr : &it->second;
}

const Value& Value::at(std::string_view key) const {
  if (const Value* v = find(key)) return *v;
  std::string k(key);
  throw FieldError(k, "field '" + k + "' is missing");
}

bool Value::get_bool(std::string_view key) const {
  return typed_field<bool>(*this, key, Type::boolean);
}

std::int64_t Value::get_int(std::string_view key) const {
  return typed_field<std::int64_t>(*this, key, Type::integer);
}

double Value::get_double(std::string_view key) const {
  const Value& v = at(key);
  if (!v.is_number()) throw_mistyped(key, Type::floating, v.type());
  return v.as_double();
}

const std::string& Value::get_string(std::string_view key) const {
  return typed_field<std::string>(*this, key, Type::string);
}

const Array& Value::get_array(std::string_view key) const {
  return typed_field<Array>(*this, key, Type::array);
}

const Map& Value::get_map(std::string_view key) const {
  return typed_field<Map>(*this, key, Type::map);
}

std::optional<bool> Value::opt_bool(std::string_view key) const {
  return opt_field<bool>(*this, key, Type::boolean);
}

std::optional<std::int64_t> Value::opt_int(std::string_view key) const {
  return opt_field<std::int64_t>(*this, key, Type::integer);
}

std::optional<double> Value::opt_double(std::string_view key) const {
  const Value* v = present(*this, key);
  if (v == nullptr) return std::nullopt;
  if (!v->is_number()) throw_mistyped(key, Type::floating, v->type());
  return v->as_double();
}

std::optional<std::string> Value::opt_string(std::string_view key) const {
  return opt_field<std::string>(*this, key, Type::string);
}

Value& Value::operator[](std::string_view key) {
  if (is_nil()) v_ = Map{};
  Map& m = as_map();
  auto it = m.find(key);
  if (it == m.end()) it = m.emplace(std::string(key), Value{}).first;
  return it->second;
}

std::string Value::to_string(std::size_t max_chars) const {
  Writer w(max_chars);
  w.value(*this);
  return w.take();
}

}  // namespace bib
