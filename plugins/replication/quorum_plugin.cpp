// replication-quorum (docs/replication.md): answer once a majority of the servers durably hold
// the write; after quorum_timeout_ms answer `erro` saying how far it got.
#include "bib/plugin_export.hpp"
#include "replication_plugin.hpp"

namespace {

class QuorumReplication final : public bib::replication::ReplicationService {
 public:
  QuorumReplication() : ReplicationService(bib::replication::Mode::quorum) {}
};

}  // namespace

BIB_PLUGIN_NAMED("replication-quorum", bib::PluginKind::replication, "1.0.0", QuorumReplication)
