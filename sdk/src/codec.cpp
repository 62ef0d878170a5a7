#include "bib/codec.hpp"

#include <algorithm>
#include <bit>
#include <cstdint>
#include <limits>
#include <new>
#include <string>

#include <msgpack.hpp>

namespace bib {

namespace {

// Converting a msgpack::object recurses once per nesting level; this keeps a caller's
// generous max_depth from turning into a stack overflow.
constexpr std::size_t kDepthCap = 512;

using Packer = msgpack::packer<msgpack::sbuffer>;

// Always float64: msgpack-cxx 4.x packs an integral double (2.0, 1e19) as an integer, which
// would come back as another type, or not at all above INT64_MAX.
void pack_float64(msgpack::sbuffer& out, double d) {
  const auto bits = std::bit_cast<std::uint64_t>(d);
  char buf[9];
  buf[0] = static_cast<char>(0xcb);
  for (int i = 0; i < 8; ++i) buf[1 + i] = static_cast<char>(bits >> (56 - 8 * i));
  out.write(buf, sizeof buf);
}

void pack(Packer& pk, msgpack::sbuffer& out, const Value& v) {
  switch (v.type()) {
    case Value::Type::nil: pk.pack_nil(); break;
    case Value::Type::boolean: v.as_bool() ? pk.pack_true() : pk.pack_false(); break;
    case Value::Type::integer: pk.pack_int64(v.as_int()); break;  // smallest form
    case Value::Type::floating: pack_float64(out, v.as_double()); break;
    case Value::Type::string: {
      const std::string& s = v.as_string();
      pk.pack_str(static_cast<std::uint32_t>(s.size()));
      pk.pack_str_body(s.data(), static_cast<std::uint32_t>(s.size()));
      break;
    }
    case Value::Type::array: {
      const Array& a = v.as_array();
      pk.pack_array(static_cast<std::uint32_t>(a.size()));
      for (const Value& item : a) pack(pk, out, item);
      break;
    }
    case Value::Type::map: {
      const Map& m = v.as_map();
      pk.pack_map(static_cast<std::uint32_t>(m.size()));
      for (const auto& [k, item] : m) {
        pk.pack_str(static_cast<std::uint32_t>(k.size()));
        pk.pack_str_body(k.data(), static_cast<std::uint32_t>(k.size()));
        pack(pk, out, item);
      }
      break;
    }
  }
}

// msgpack::object -> Value. Returns false with `error` set on what Value cannot hold.
bool convert(const msgpack::object& o, Value& out, std::string& error) {
  switch (o.type) {
    case msgpack::type::NIL: out = Value{}; return true;
    case msgpack::type::BOOLEAN: out = o.via.boolean; return true;
    case msgpack::type::POSITIVE_INTEGER:
      if (o.via.u64 > static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max())) {
        error = "integer " + std::to_string(o.via.u64) + " is above INT64_MAX";
        return false;
      }
      out = static_cast<std::int64_t>(o.via.u64);
      return true;
    case msgpack::type::NEGATIVE_INTEGER: out = std::int64_t{o.via.i64}; return true;
    case msgpack::type::FLOAT32:
    case msgpack::type::FLOAT64: out = o.via.f64; return true;
    case msgpack::type::STR: out = std::string(o.via.str.ptr, o.via.str.size); return true;
    case msgpack::type::BIN: out = std::string(o.via.bin.ptr, o.via.bin.size); return true;
    case msgpack::type::ARRAY: {
      Array a(o.via.array.size);
      for (std::uint32_t i = 0; i < o.via.array.size; ++i) {
        if (!convert(o.via.array.ptr[i], a[i], error)) return false;
      }
      out = std::move(a);
      return true;
    }
    case msgpack::type::MAP: {
      Map m;
      for (std::uint32_t i = 0; i < o.via.map.size; ++i) {
        const msgpack::object_kv& kv = o.via.map.ptr[i];
        if (kv.key.type != msgpack::type::STR) {
          error = "map key must be a string";
          return false;
        }
        Value item;
        if (!convert(kv.val, item, error)) return false;
        // A repeated key keeps its last value, like most MessagePack readers.
        m.insert_or_assign(std::string(kv.key.via.str.ptr, kv.key.via.str.size), std::move(item));
      }
      out = std::move(m);
      return true;
    }
    case msgpack::type::EXT: error = "unsupported MessagePack type: ext"; return false;
  }
  error = "unsupported MessagePack type";
  return false;
}

}  // namespace

std::string encode(const Value& value) {
  msgpack::sbuffer buffer;
  Packer pk(&buffer);
  pack(pk, buffer, value);
  return std::string(buffer.data(), buffer.size());
}

Result<Value> decode(std::string_view bytes, const DecodeLimits& limits) {
  if (bytes.size() > limits.max_bytes) {
    return Error{"message too large: " + std::to_string(bytes.size()) + " bytes > limit " +
                 std::to_string(limits.max_bytes)};
  }
  if (bytes.empty()) return Error{"malformed MessagePack: empty message"};
  const std::size_t depth = std::min(limits.max_depth, kDepthCap);
  // A container of n items takes at least n bytes of the message (a map's n pairs, 2n): a count
  // the message cannot hold is refused before msgpack-c allocates room for it, 24 bytes an item
  // (48 a pair) up front. Bounded by max_items alone, 217 bytes of nested maps each claiming
  // 100,000 pairs cost 20 ms of allocation before they were found truncated (docs/fuzzing.md).
  const std::size_t max_array = std::min(limits.max_items, bytes.size());
  const std::size_t max_map = std::min(limits.max_items, bytes.size() / 2);
  const msgpack::unpack_limit limit(max_array, max_map, limits.max_bytes, limits.max_bytes,
                                    limits.max_bytes, depth);
  try {
    std::size_t offset = 0;
    msgpack::object_handle handle =
        msgpack::unpack(bytes.data(), bytes.size(), offset, nullptr, nullptr, limit);
    if (offset != bytes.size()) {
      return Error{"malformed MessagePack: " + std::to_string(bytes.size() - offset) +
                   " trailing bytes after the message"};
    }
    Value out;
    std::string error;
    if (!convert(handle.get(), out, error)) return Error{error};
    return out;
  } catch (const msgpack::insufficient_bytes&) {
    return Error{"malformed MessagePack: truncated message"};
  } catch (const msgpack::depth_size_overflow&) {
    return Error{"nesting too deep: more than " + std::to_string(depth) + " levels"};
  } catch (const msgpack::array_size_overflow&) {
    if (max_array < limits.max_items) return Error{"malformed MessagePack: truncated message"};
    return Error{"array too long: more than " + std::to_string(limits.max_items) + " items"};
  } catch (const msgpack::map_size_overflow&) {
    if (max_map < limits.max_items) return Error{"malformed MessagePack: truncated message"};
    return Error{"map too long: more than " + std::to_string(limits.max_items) + " items"};
  } catch (const msgpack::size_overflow& e) {
    return Error{std::string("message too large: ") + e.what()};
  } catch (const std::bad_alloc&) {
    return Error{"message too large: out of memory while decoding"};
  } catch (const std::exception& e) {
    return Error{std::string("malformed MessagePack: ") + e.what()};
  }
}

std::string Envelope::to_string() const {
  // A plain service name is shown bare; anything else is quoted so it cannot forge a line.
  const bool plain = !service.empty() && std::all_of(service.begin(), service.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
           c == '_' || c == '-' || c == '.';
  });
  std::string line = (plain ? service : Value(service).to_string()) + " " + data.to_string();
  Map extra;
  for (const auto& [key, value] : flat) {
    const Value* same = data.is_map() ? data.find(key) : nullptr;
    if (same == nullptr || !(*same == value)) extra.emplace(key, value);
  }
  if (!extra.empty()) line += " +" + Value(std::move(extra)).to_string();
  return line;
}

std::string encode_envelope(const Envelope& envelope) {
  Map m = envelope.flat;
  m.insert_or_assign("service", envelope.service);  // never overridden by a flat field
  m.insert_or_assign("data", envelope.data);
  return encode(Value(std::move(m)));
}

Result<Envelope> decode_envelope(std::string_view bytes, const DecodeLimits& limits) {
  Result<Value> decoded = decode(bytes, limits);
  if (!decoded) return decoded.error();
  Value& top = decoded.value();
  if (!top.is_map()) {
    return Error{std::string("message must be a map, got ") + Value::type_name(top.type())};
  }
  try {
    Envelope envelope;
    envelope.service = top.get_string("service");
    // Absent or nil data is an empty map, as for every optional field.
    Map& fields = top.as_map();
    if (auto it = fields.find("data"); it != fields.end() && !it->second.is_nil()) {
      top.get_map("data");  // throws the standard "must be a map, got X" sentence
      envelope.data = std::move(it->second);
    }
    for (auto& [key, value] : fields)
      if (key != "service" && key != "data") envelope.flat.emplace(key, std::move(value));
    return envelope;
  } catch (const FieldError& e) {
    return Error{e.what()};
  }
}

}  // namespace bib
