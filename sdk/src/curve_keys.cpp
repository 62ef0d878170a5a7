#include "bib/curve_keys.hpp"

#include <sys/stat.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <stdexcept>

namespace bib {

namespace {

// The first line of a key file, without surrounding blanks.
std::string read_key_text(const std::string& file) {
  std::ifstream in(file);
  if (!in) throw std::runtime_error("cannot read key file " + file + ": " + std::strerror(errno));
  std::string line;
  std::getline(in, line);
  const auto first = line.find_first_not_of(" \t\r");
  const auto last = line.find_last_not_of(" \t\r");
  line = first == std::string::npos ? std::string() : line.substr(first, last - first + 1);
  if (decode_curve_key(line).empty()) throw std::runtime_error("key file " + file + " holds no Z85 CURVE key");
  return line;
}

void write_text(const std::filesystem::path& file, const std::string& text, mode_t mode) {
  std::filesystem::remove(file);
  // Created with its final mode: a secret key is never readable by others, not even briefly.
  const mode_t old = ::umask(0);
  std::FILE* out = std::fopen(file.c_str(), "wx");
  ::umask(old);
  if (out == nullptr) throw std::runtime_error("cannot write " + file.string() + ": " + std::strerror(errno));
  ::fchmod(fileno(out), mode);
  const bool ok = std::fputs(text.c_str(), out) >= 0;
  if (std::fclose(out) != 0 || !ok) throw std::runtime_error("cannot write " + file.string());
}

}  // namespace

bool curve_available() { return zmq_has("curve") == 1; }

CurveKeyPair generate_curve_key_pair() {
  char public_key[kCurveKeyZ85 + 1];
  char secret_key[kCurveKeyZ85 + 1];
  if (zmq_curve_keypair(public_key, secret_key) != 0)
    throw std::runtime_error(std::string("cannot make a CURVE key pair: ") + zmq_strerror(zmq_errno()));
  return {public_key, secret_key};
}

CurveKeyPair read_curve_secret_key(const std::string& file) {
  CurveKeyPair pair;
  pair.secret_key = read_key_text(file);
  char public_key[kCurveKeyZ85 + 1];
  if (zmq_curve_public(public_key, pair.secret_key.c_str()) != 0)
    throw std::runtime_error("key file " + file + ": no public key follows from it");
  pair.public_key = public_key;
  return pair;
}

std::string read_curve_public_key(const std::string& file) { return read_key_text(file); }

std::string decode_curve_key(std::string_view z85) {
  if (z85.size() != kCurveKeyZ85) return {};
  const std::string text(z85);  // zmq_z85_decode wants a terminated string
  std::string bytes(32, '\0');
  if (zmq_z85_decode(reinterpret_cast<std::uint8_t*>(bytes.data()), text.c_str()) == nullptr) return {};
  return bytes;
}

CurveKeyPair write_curve_key_pair(const std::string& dir, const std::string& name, bool overwrite) {
  const std::filesystem::path folder(dir);
  const auto secret_file = folder / (name + ".key");
  const auto public_file = folder / (name + ".pub");
  if (!overwrite && std::filesystem::exists(secret_file) && std::filesystem::exists(public_file))
    return read_curve_secret_key(secret_file.string());
  std::filesystem::create_directories(folder);
  CurveKeyPair pair = generate_curve_key_pair();
  write_text(secret_file, pair.secret_key + "\n", 0600);
  write_text(public_file, pair.public_key + "\n", 0644);
  return pair;
}

void make_curve_server(zmq::socket_t& socket, const CurveKeyPair& own, std::string_view zap_domain) {
  socket.set(zmq::sockopt::curve_server, 1);
  socket.set(zmq::sockopt::curve_secretkey, own.secret_key);
  socket.set(zmq::sockopt::zap_domain, zap_domain);
}

void make_curve_client(zmq::socket_t& socket, const CurveKeyPair& own, std::string_view server_key) {
  socket.set(zmq::sockopt::curve_serverkey, server_key);
  socket.set(zmq::sockopt::curve_publickey, own.public_key);
  socket.set(zmq::sockopt::curve_secretkey, own.secret_key);
}

SocketSetup curve_client_setup(CurveKeyPair own, std::string server_key) {
  return [own = std::move(own), server_key = std::move(server_key)](zmq::socket_t& socket) {
    make_curve_client(socket, own, server_key);
  };
}

SocketSetup curve_client_setup(const std::string& server_key_file, const std::string& own_key_file) {
  std::string server_key = read_curve_public_key(server_key_file);
  CurveKeyPair own = own_key_file.empty() ? generate_curve_key_pair() : read_curve_secret_key(own_key_file);
  return curve_client_setup(std::move(own), std::move(server_key));
}

}  // namespace bib
