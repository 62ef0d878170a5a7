// A client written only from the wire protocol (docs/protocol.md), with none of our SDK: a plain
// ZeroMQ REQ socket per request, MessagePack bytes written by hand, replies read with
// msgpack-cxx's generic object API. Shared by the interoperability tests and the eviction soak.
#pragma once

#include <bit>
#include <chrono>
#include <cstdint>
#include <optional>
#include <sstream>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

#include <msgpack.hpp>
#include <zmq.hpp>

#include "support/raw_request.hpp"

namespace bib::test::plain {

// --- writing MessagePack by hand (only the formats a request needs) ----------------------------

class Pack {
 public:
  Pack& map(std::size_t entries) {
    if (entries < 16) return byte(0x80 | entries);
    return byte(0xde).be(entries, 2);  // map16
  }
  Pack& str(std::string_view s) {
    if (s.size() < 32) byte(0xa0 | s.size());
    else if (s.size() < 256) byte(0xd9).be(s.size(), 1);      // str8
    else if (s.size() < 65536) byte(0xda).be(s.size(), 2);    // str16
    else byte(0xdb).be(s.size(), 4);                          // str32
    bytes_.append(s);
    return *this;
  }
  Pack& uint(std::uint64_t v) {
    if (v < 128) return byte(v);                           // positive fixint
    if (v < 256) return byte(0xcc).be(v, 1);               // uint8
    if (v < 65536) return byte(0xcd).be(v, 2);             // uint16
    if (v <= 0xffffffffu) return byte(0xce).be(v, 4);      // uint32
    return byte(0xcf).be(v, 8);                            // uint64
  }
  Pack& f64(double d) { return byte(0xcb).be(std::bit_cast<std::uint64_t>(d), 8); }
  const std::string& bytes() const { return bytes_; }

 private:
  Pack& byte(std::uint64_t b) {
    bytes_.push_back(static_cast<char>(b & 0xff));
    return *this;
  }
  Pack& be(std::uint64_t v, int width) {  // big-endian, as MessagePack wants
    for (int i = width - 1; i >= 0; --i) byte(v >> (8 * i));
    return *this;
  }
  std::string bytes_;
};

using FieldValue = std::variant<std::string, std::uint64_t, double>;
using Fields = std::vector<std::pair<std::string, FieldValue>>;

// {"service": service, "data": {fields...}}
inline std::string envelope(std::string_view service, const Fields& fields) {
  Pack p;
  p.map(2).str("service").str(service).str("data").map(fields.size());
  for (const auto& [key, value] : fields) {
    p.str(key);
    if (const auto* s = std::get_if<std::string>(&value)) p.str(*s);
    else if (const auto* u = std::get_if<std::uint64_t>(&value)) p.uint(*u);
    else p.f64(std::get<double>(value));
  }
  return p.bytes();
}

// The same request with timestamp and clock, as docs/protocol.md asks of senders.
inline std::string stamped(std::string_view service, Fields fields, std::uint64_t clock) {
  const double now = std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
  fields.emplace_back("timestamp", now);
  fields.emplace_back("clock", clock);
  return envelope(service, fields);
}

// --- reading replies with msgpack-cxx's object API ---------------------------------------------

inline const msgpack::object* field(const msgpack::object& map, std::string_view key) {
  if (map.type != msgpack::type::MAP) return nullptr;
  for (std::uint32_t i = 0; i < map.via.map.size; ++i) {
    const auto& kv = map.via.map.ptr[i];
    if (kv.key.type == msgpack::type::STR && std::string_view(kv.key.via.str.ptr, kv.key.via.str.size) == key)
      return &kv.val;
  }
  return nullptr;
}

inline std::optional<std::string> text(const msgpack::object* o) {
  if (!o || o->type != msgpack::type::STR) return std::nullopt;
  return std::string(o->via.str.ptr, o->via.str.size);
}

inline std::optional<std::uint64_t> unsigned_int(const msgpack::object* o) {
  if (!o || o->type != msgpack::type::POSITIVE_INTEGER) return std::nullopt;
  return o->via.u64;
}

inline bool is_float(const msgpack::object* o) {
  return o && (o->type == msgpack::type::FLOAT64 || o->type == msgpack::type::FLOAT32);
}

inline std::vector<const msgpack::object*> items(const msgpack::object* o) {
  std::vector<const msgpack::object*> out;
  if (o && o->type == msgpack::type::ARRAY)
    for (std::uint32_t i = 0; i < o->via.array.size; ++i) out.push_back(&o->via.array.ptr[i]);
  return out;
}

inline std::vector<std::string> texts(const msgpack::object* o) {
  std::vector<std::string> out;
  for (const auto* item : items(o)) out.push_back(text(item).value_or("<not a string>"));
  return out;
}

// One decoded reply; `data` points into `handle`.
struct Reply {
  msgpack::object_handle handle;
  std::string service;
  const msgpack::object* data = nullptr;

  std::string status() const { return text(field(*data, "status")).value_or(""); }
  std::string str(std::string_view key) const { return text(field(*data, key)).value_or(""); }
  const msgpack::object* get(std::string_view key) const { return field(*data, key); }
  std::string dump() const {
    std::ostringstream os;
    os << handle.get();
    return os.str();
  }
};

// --- a course client: one REQ socket per request ----------------------------------------------


class PlainClient {
 public:
  explicit PlainClient(std::string endpoint) : endpoint_(std::move(endpoint)) {}

  // Sends the bytes and returns the decoded reply; throws on silence or bad bytes.
  Reply ask(const std::string& request) {
    auto reply = try_ask(request, std::chrono::milliseconds(10000));
    if (!reply) throw std::runtime_error("no reply from " + endpoint_ + " within 10 s");
    return std::move(*reply);
  }

  // One try on a fresh REQ socket: nullopt when no reply comes within `timeout`.
  std::optional<Reply> try_ask(const std::string& request, std::chrono::milliseconds timeout) {
    const auto bytes = ask_raw(zmq_, endpoint_, request, timeout);
    if (!bytes) return std::nullopt;
    Reply reply{msgpack::unpack(bytes->data(), bytes->size()), "", nullptr};
    const msgpack::object& top = reply.handle.get();
    if (top.type != msgpack::type::MAP) throw std::runtime_error("reply is not a map");
    reply.service = text(field(top, "service")).value_or("");
    reply.data = field(top, "data");
    if (!reply.data || reply.data->type != msgpack::type::MAP) throw std::runtime_error("reply data is not a map");
    return reply;
  }

  // A stamped request; the clock grows like a Lamport clock would.
  Reply call(std::string_view service, Fields fields = {}) { return ask(stamped(service, std::move(fields), ++clock_)); }

 private:
  zmq::context_t zmq_;
  std::string endpoint_;
  std::uint64_t clock_ = 0;
};

}  // namespace bib::test::plain
