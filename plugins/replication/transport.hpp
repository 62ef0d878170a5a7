// How replication messages move between servers (docs/replication.md, "transport"). The
// Replicator speaks only through this interface, so its tests run without sockets.
//
//   requests   replicate, sync        our DEALER to the peer  ->  the peer's ROUTER
//   answers    replicate_ack, reply   the peer's ROUTER       ->  back on our DEALER
#pragma once

#include <functional>
#include <string>

#include "bib/codec.hpp"

namespace bib::replication {

struct Inbound {
  Envelope message;
  std::string route;  // a peer's request on our ROUTER: answer with reply(route, ...)
  std::string peer;   // an answer on our DEALER to this peer (empty for requests)
};

class Transport {
 public:
  using Handler = std::function<void(Inbound)>;
  virtual ~Transport() = default;

  // Bind this server's replication port; every message received goes to handler.
  virtual void open(Handler handler) = 0;
  virtual void close() = 0;
  // One connection per peer, by name.
  virtual void connect(const std::string& peer, const std::string& endpoint) = 0;
  virtual void disconnect(const std::string& peer) = 0;
  // A fresh connection: whatever was still queued for the peer is dropped (the Guide's Lazy
  // Pirate), so a peer that is down never collects a pile of stale retries.
  virtual void reconnect(const std::string& peer) = 0;
  // False when it could not be queued (unknown peer, queue full): the caller's retry covers it.
  virtual bool send(const std::string& peer, Envelope message) = 0;
  // Answer a request that came in on `route`; peer names the requester for the wire log.
  virtual void reply(const std::string& route, const std::string& peer, Envelope message) = 0;
};

}  // namespace bib::replication
