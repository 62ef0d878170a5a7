// Writes the seed corpus of every fuzz target (corpus/<name>/) with the project's own
// encoders, so that each seed is an input the real code writes or reads:
//   build-asan/bin/bib-fuzz-make-corpus tests/fuzz/corpus
// The seeds are small on purpose: libFuzzer mutates them, it does not need them large.
#include <filesystem>
#include <fstream>
#include <iostream>
#include <string>

#include "bib/codec.hpp"
#include "bib/json.hpp"
#include "bib/state_bytes.hpp"
#include "checkpoint_seal.hpp"
#include "event_index.hpp"
#include "event_log.hpp"
#include "event_store.hpp"
#include "request_log.hpp"
#include "snapshot_files.hpp"

namespace {

using namespace bib;
using persistence::snapshot_record;
using persistence::with_position;
namespace fs = std::filesystem;

fs::path root;

void seed(const std::string& target, const std::string& name, const std::string& bytes) {
  fs::create_directories(root / target);
  std::ofstream(root / target / name, std::ios::binary) << bytes;
}

Event event(std::string origin, std::uint64_t seq, std::string service, Value data) {
  return Event{std::move(origin), seq, seq + 10, 1764579600.25, std::move(service), std::move(data), "c1-" + std::to_string(seq)};
}

const Map kPost{{"user", "ana"}, {"channel", "geral"}, {"message", "oi"}, {"clock", 7}, {"timestamp", 1764579600.5}};

void codec() {
  seed("msgpack_codec", "map_of_every_type", encode(Map{{"nil", nullptr}, {"yes", true}, {"n", -3}, {"big", 1 << 20},
                                                         {"f", 2.5}, {"s", "é"}, {"a", Array{1, "x", Array{}}}}));
  seed("msgpack_codec", "login_request", encode_envelope({"login", Map{{"user", "ana"}}}));
  seed("msgpack_codec", "array", encode(Array{0, -1, 1e300, "", Map{}}));
  seed("request_envelope", "login", encode_envelope({"login", Map{{"user", "ana"}, {"clock", 3}}}));
  seed("request_envelope", "publish", encode_envelope({"publish", kPost}));
  seed("request_envelope", "history_page", encode_envelope({"history", Map{{"channel", "geral"}, {"limit", 10}, {"before", 42}}}));
  seed("request_envelope", "publication_with_flat_fields",
       encode_envelope({"publish", kPost, Map{{"topic", "geral"}, {"type", "channel"}}}));
  seed("request_envelope", "reply", encode_envelope({"login", Map{{"status", "sucesso"}, {"timestamp", 1.5}, {"clock", 9}}}));
}

void json() {
  seed("json_text", "object", R"({"user": "ana", "limit": 10, "tags": ["a", "b"], "ok": true, "x": null, "t": 1.5})");
  seed("json_text", "escapes", R"(["\u00e9\ud83d\ude00", "a\"b\\c\n", -0.0, 1e-7, 12345678901234567890])");
  seed("json_text", "record", snapshot_record(event("server-1", 1, "publish", kPost), 2));
}

// [count][len][frame]... messages of worker_frames.cpp.
std::string message(std::initializer_list<std::string> frames) {
  std::string out(1, static_cast<char>(frames.size()));
  for (const auto& f : frames) out += static_cast<char>(f.size()) + f;
  return out;
}

void worker_frames() {
  const std::string request = "\xff", tick = "\xfe";
  const std::string reply = encode_envelope({"login", Map{{"status", "sucesso"}}});
  seed("worker_frames", "ready_request_reply",
       "\x01" + message({"w1", "READY", "server-1", "1764579600123456", "1"}) + request +
           message({"w1", "REPLY", "b-1", reply}) + message({"w1", "HEARTBEAT"}) + tick + "\x28");
  seed("worker_frames", "two_servers_one_silent",
       std::string("\x02") + message({"w1", "READY", "server-1", "7", "1"}) + message({"w2", "READY", "server-2", "9", "1"}) +
           request + request + request + tick + "\x50" + message({"w2", "REPLY", "b-2", reply}) +
           message({"w2", "DISCONNECT"}));
  seed("worker_frames", "reconnect_holding",
       "\x01" + message({"w1", "READY", "server-1", "7", "1"}) + request + request +
           message({"w9", "READY", "server-1", "7", "2", "b-1"}) + message({"w9", "REPLY", "b-1", reply}) +
           std::string("\xfd\x02w9\x03") + "b-2");
}

void replication() {
  const Array events{to_value(event("server-1", 4, "login", Map{{"user", "ana"}})),
                     to_value(event("server-2", 1, "publish", kPost))};
  auto one = [](const char* name, char which, const Envelope& e) {
    seed("replication_messages", name, std::string(1, which) + encode(e.data));
  };
  one("replicate", 0, {"replicate", Map{{"from", "server-1"}, {"replicated", true}, {"batch", 7}, {"events", events}}});
  one("replicate_ack", 1, {"replicate_ack", Map{{"from", "server-2"}, {"batch", 7}, {"acked", Array{Value{Array{"server-1", 4}}}},
                                                {"failed", Array{Value{Array{"server-2", 1, "no plugin answers publish"}}}}}});
  one("sync", 2, {"sync", Map{{"from", "server-3"}, {"vv", Map{{"server-1", 12}}}, {"after", Map{{"server-1", 3}}}}});
  one("sync_reply", 3, {"sync_reply", Map{{"from", "server-1"}, {"vv", Map{{"server-1", 4}}}, {"events", events}, {"more", true}}});
}

void proxy() {
  seed("proxy_subscription", "subscribe", "\x01geral");
  seed("proxy_subscription", "unsubscribe", std::string("\x00geral", 6));
  seed("proxy_subscription", "publication", "\x05geral" + encode_envelope({"publish", kPost, Map{{"topic", "geral"}}}));
}

void records() {
  // [file][resume][the file]: the line layout of record_file.hpp.
  auto file = [](const char* name, std::size_t index, const std::string& body) {
    seed("json_records", name, std::string(1, static_cast<char>(index)) + '\x01' + body);
  };
  const std::string login1 = with_position(snapshot_record(event("server-1", 1, "login", Map{{"user", "ana"}}), 0), 1);
  const std::string login2 = with_position(snapshot_record(event("server-2", 1, "login", Map{{"user", "bia"}, {"x", 1}}), 0), 2);
  const std::string post = with_position(snapshot_record(event("server-1", 2, "publish", kPost), 2), 3);
  const std::string other = with_position(snapshot_record(event("server-1", 3, "ping", Map{}), 4), 4);
  file("usuarios", 0, "[\n" + login1 + ",\n" + login2 + "\n]\n");
  file("publicacoes_torn_tail", 2, "[\n" + post + ",\n" + post.substr(0, 20));
  file("outros", 4, "[\n" + other + "\n]\n");
  file("empty", 1, "[\n]\n");

  // [0x80 | mode][...]: checkpoints, json_records.cpp.
  host::EventStore store;
  host::EventLog totals;
  host::RequestLog requests;
  for (std::uint64_t seq : {1, 2, 3, 5}) store.mark("server-1", seq);
  totals.add(event("server-1", 1, "login", Map{{"user", "ana"}}));
  requests.record("c1-1", Map{{"status", "sucesso"}});
  StateWriter payload;
  payload.u64(6);   // next local seq
  payload.u64(40);  // Lamport clock
  store.save(payload);
  totals.save(payload);
  requests.save(payload);
  payload.u64(1);
  payload.str("login");
  payload.u64(1);
  payload.str("login");
  payload.str("its state bytes");
  const std::string bytes = payload.take();
  seed("json_records", "host_checkpoint_payload", "\x81" + bytes);
  StateWriter sealed = host::checkpoint_writer("server-1");
  seed("json_records", "host_checkpoint_sealed", "\x80" + with_hash(sealed.take() + bytes));
  persistence::EventIndex index;
  for (std::uint64_t seq : {1, 2, 9000}) index.insert("server-1", seq, seq * 100);
  StateWriter index_bytes;
  index.save(index_bytes);
  seed("json_records", "json_index", "\x83" + index_bytes.take());
}

void toml() {
  seed("toml_config", "server", R"([host]
name = "${BIB_NODE:-server-1}"
broker = "tcp://${BIB_BROKER:-127.0.0.1}:5556"
heartbeat_ms = 1000

[[plugins]]
name = "persistence-${BIB_PERSISTENCE:-json}"
dir = "${BIB_DATA:-../data/${BIB_NODE:-server-1}}"
fsync = "batch"
)");
  seed("toml_config", "broker_with_overrides", std::string(R"([host]
name = "broker"
log_level = "debug"

[[plugins]]
name = "broker"
frontend = "tcp://127.0.0.1:5555"
state_file = "ranks.bin"
)") + '\0' + "host.liveness=5" + '\0' + "plugins.broker.hold_ms=3000");
  seed("toml_config", "values", "[host]\nname = \"n\"\n[[plugins]]\nname = \"p\"\nlist = [1, 2.5, true, \"$$x\"]\nt = { a = 1979-05-27T07:32:00Z }\n");
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::cerr << "usage: bib-fuzz-make-corpus CORPUS_DIR   (tests/fuzz/corpus)\n";
    return 2;
  }
  root = argv[1];
  codec();
  json();
  worker_frames();
  replication();
  proxy();
  records();
  toml();
  return 0;
}
