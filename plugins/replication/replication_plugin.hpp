// The ReplicationPlugin both replication plugins are: options, the ZeroMQ transport and a
// Replicator in async or quorum mode. async_plugin.cpp and quorum_plugin.cpp only name it.
#pragma once

#include <memory>

#include "bib/replication.hpp"
#include "replication_options.hpp"
#include "replicator.hpp"
#include "zmq_transport.hpp"

namespace bib::replication {

class ReplicationService : public ReplicationPlugin {
 public:
  explicit ReplicationService(Mode mode) : mode_(mode) {}

  void configure(Context& ctx) override;
  void start() override { replicator_->start(); }
  void stop() override { replicator_->stop(); }
  void replicate(const Event& event, Done done) override { replicator_->replicate(event, std::move(done)); }
  void want(const VersionVector& missing) override { replicator_->want(missing); }
  void when_caught_up(std::function<void()> fn) override { replicator_->when_caught_up(std::move(fn)); }
  void on_availability(Availability fn) override { replicator_->on_availability(std::move(fn)); }
  void describe(Map& status) const override {
    if (replicator_) replicator_->describe(status);
  }

 private:
  Mode mode_;
  // Declared before the replicator, which uses it, so that it is destroyed after it.
  std::unique_ptr<ZmqTransport> transport_;
  std::unique_ptr<Replicator> replicator_;
};

}  // namespace bib::replication
