#include "host_client.hpp"

#include <fstream>
#include <stdexcept>

#include <zmq_addon.hpp>

#include "support/process.hpp"

namespace bib::test {

std::string host_config(const std::string& name, const std::string& listen, const std::vector<std::string>& plugins) {
  std::string text = "[host]\nname = \"" + name + "\"\nlisten = \"" + listen + "\"\nplugin_path = \"" +
                     plugin_dir() + "\"\n";
  for (const auto& p : plugins) text += "\n[[plugins]]\nname = \"" + p + "\"\n";
  return text;
}

std::string write_file(const std::string& dir, const std::string& file, const std::string& text) {
  const std::string path = dir + "/" + file;
  std::ofstream out(path);
  out << text;
  if (!out) throw std::runtime_error("cannot write " + path);
  return path;
}

namespace {

bool readable(zmq::socket_t& socket, std::chrono::milliseconds timeout) {
  zmq::pollitem_t item{socket.handle(), 0, ZMQ_POLLIN, 0};
  return zmq::poll(&item, 1, timeout) > 0;
}

}  // namespace

std::optional<std::string> WireClient::call_raw(const std::string& body, std::chrono::milliseconds timeout) {
  zmq::socket_t req(zmq_, zmq::socket_type::req);
  req.set(zmq::sockopt::linger, 0);
  req.connect(endpoint_);
  req.send(zmq::buffer(body));
  if (!readable(req, timeout)) return std::nullopt;
  zmq::message_t reply;
  if (!req.recv(reply)) return std::nullopt;
  return reply.to_string();
}

std::optional<bib::Envelope> WireClient::call(const std::string& service, bib::Value data,
                                              std::chrono::milliseconds timeout) {
  auto raw = call_raw(bib::encode_envelope(bib::Envelope{service, std::move(data)}), timeout);
  if (!raw) return std::nullopt;
  auto decoded = bib::decode_envelope(*raw);
  if (!decoded) throw std::runtime_error("reply does not decode: " + decoded.error().message);
  return decoded.value();
}

std::optional<std::vector<std::string>> WireClient::call_dealer(const std::vector<std::string>& frames,
                                                                std::chrono::milliseconds timeout) {
  zmq::socket_t dealer(zmq_, zmq::socket_type::dealer);
  dealer.set(zmq::sockopt::linger, 0);
  dealer.connect(endpoint_);
  std::vector<zmq::const_buffer> out;
  for (const auto& f : frames) out.push_back(zmq::buffer(f));
  zmq::send_multipart(dealer, out);
  if (!readable(dealer, timeout)) return std::nullopt;
  std::vector<zmq::message_t> in;
  if (!zmq::recv_multipart(dealer, std::back_inserter(in))) return std::nullopt;
  std::vector<std::string> result;
  for (auto& m : in) result.push_back(m.to_string());
  return result;
}

}  // namespace bib::test
