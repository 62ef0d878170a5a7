// CurveZMQ key pairs, the files that hold them, and the socket options that use them
// (docs/security.md). Why CURVE: libzmq has it built in (Debian's libzmq links libsodium), so
// authenticated, encrypted links cost no new dependency and no change to any message.
//
// One node's key pair is two files in one folder, both Z85 text (40 characters and a newline):
//   server-1.key   the secret key, mode 0600; the public key is computed from it
//   server-1.pub   the public key; the folder's *.pub files are the cluster's allow-list
// `bib-keygen --dir keys server-1` writes them.
#pragma once

#include <functional>
#include <string>
#include <string_view>

#include <zmq.hpp>

#include "bib/export.hpp"

namespace bib {

inline constexpr std::size_t kCurveKeyZ85 = 40;  // characters of a Z85 key (32 bytes)

struct CurveKeyPair {
  std::string public_key;  // Z85
  std::string secret_key;  // Z85
};

// Whether this libzmq speaks CURVE (zmq_has("curve")).
BIB_SDK_API bool curve_available();

BIB_SDK_API CurveKeyPair generate_curve_key_pair();

// The pair from a secret key file (NAME.key). Throws std::runtime_error naming the file when
// it cannot be read or holds no Z85 key.
BIB_SDK_API CurveKeyPair read_curve_secret_key(const std::string& file);
// A public key file (NAME.pub), as Z85; throws like read_curve_secret_key.
BIB_SDK_API std::string read_curve_public_key(const std::string& file);
// A Z85 key as its 32 bytes, or "" when `z85` is not a key.
BIB_SDK_API std::string decode_curve_key(std::string_view z85);

// Writes DIR/NAME.key (mode 0600) and DIR/NAME.pub for a new pair and returns it. An existing
// pair is kept and returned unless `overwrite` (so rerunning a launcher keeps every key).
BIB_SDK_API CurveKeyPair write_curve_key_pair(const std::string& dir, const std::string& name, bool overwrite = false);

// Before bind: the socket accepts only CURVE clients, proves itself with `own`, and asks the
// ZAP handler (zeromq.zap.01) of its context about each client, under `zap_domain`.
BIB_SDK_API void make_curve_server(zmq::socket_t& socket, const CurveKeyPair& own, std::string_view zap_domain);
// Before connect: the socket speaks CURVE as `own` to a server whose public key is `server_key`
// (Z85); a server with another key fails the handshake, so nothing is sent to an impostor.
BIB_SDK_API void make_curve_client(zmq::socket_t& socket, const CurveKeyPair& own, std::string_view server_key);

// What a client calls on each socket before it connects (ClientOptions::prepare, a
// Subscriber's): make_curve_client as `own` to the server whose public key is `server_key`.
using SocketSetup = std::function<void(zmq::socket_t&)>;
BIB_SDK_API SocketSetup curve_client_setup(CurveKeyPair own, std::string server_key);
// The same from key files: the server's public key file (NAME.pub), and this client's secret
// key file (NAME.key), or a fresh pair when `own_key_file` is empty (for a server that admits
// any client key). Throws std::runtime_error naming a file that cannot be read.
BIB_SDK_API SocketSetup curve_client_setup(const std::string& server_key_file, const std::string& own_key_file);

}  // namespace bib
