// ping: the smallest service plugin, to check that a node answers.
//   {"service": "ping", "data": {}}  ->  {"service": "ping", "data": {"status": "OK", "node": "server-1", ...}}
#include "bib/plugin_export.hpp"
#include "bib/sdk.hpp"

namespace {

class Ping final : public bib::ServicePlugin {
 public:
  void configure(bib::Context& ctx) override { ctx_ = &ctx; }
  std::vector<std::string> services() const override { return {"ping"}; }
  bib::Outcome handle(const bib::Request&) override {
    return bib::Reply{bib::Map{{"status", "OK"}, {"node", ctx_->node_name()}}};
  }

 private:
  bib::Context* ctx_ = nullptr;
};

}  // namespace

BIB_PLUGIN(ping, bib::PluginKind::service, "1.0.0", Ping)
