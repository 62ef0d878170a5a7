#include "replication_plugin.hpp"

namespace bib::replication {

void ReplicationService::configure(Context& ctx) {
  ReplicationOptions options = parse_replication_options(ctx.config());
  if (mode_ == Mode::async && options.cluster_size != 0) {
    ctx.log().info("replication-async: option 'cluster_size' only matters to replication-quorum; ignored");
  }
  transport_ = std::make_unique<ZmqTransport>(ctx, options.listen);
  replicator_ = std::make_unique<Replicator>(ctx, std::move(options), mode_, *transport_);
}

}  // namespace bib::replication
