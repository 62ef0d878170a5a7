// The ZAP handler (ZeroMQ RFC 27) of one bib-host: the thread libzmq asks, for every client
// that completes a CURVE handshake with one of this process's CURVE servers, whether to let it
// in. ZapPolicy (zap_policy.hpp) decides; this class only moves the frames:
//
//   request:  ["1.0"][request id]["bib-cluster"][address]["" identity]["CURVE"][32-byte public key]
//   reply:    ["1.0"][request id]["200" | "400"][status text][user id: "server-2"][metadata: ""]
//
// A refused client never gets a connection: nothing it sent is read. Each refusal is logged
// through a RefusalLog on the loop (posted there: the log is the loop's), once per interval.
//
// Bound to inproc://zeromq.zap.01 in the constructor, so make it before any socket binds (a
// CURVE server with no handler would let everyone in). The destructor stops the thread and
// closes its sockets, so the context's termination never waits for them.
#pragma once

#include <thread>

#include <zmq.hpp>

#include "bib/event_loop.hpp"
#include "bib/logger.hpp"
#include "bib/refusal_log.hpp"
#include "zap_policy.hpp"

namespace bib::host {

class ZapHandler {
 public:
  ZapHandler(zmq::context_t& zmq, ZapPolicy policy, bib::EventLoop& loop, spdlog::logger& log);
  ~ZapHandler();
  ZapHandler(const ZapHandler&) = delete;
  ZapHandler& operator=(const ZapHandler&) = delete;

 private:
  void run();
  void answer(std::vector<zmq::message_t>& request);

  ZapPolicy policy_;
  bib::EventLoop& loop_;
  spdlog::logger& log_;
  bib::RefusalLog refusals_;  // loop thread only
  zmq::socket_t zap_;         // the handler thread's once it runs
  zmq::socket_t stop_sender_;
  zmq::socket_t stop_receiver_;  // the handler thread's once it runs
  std::thread thread_;
};

}  // namespace bib::host
