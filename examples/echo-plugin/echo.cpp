// echo.cpp: answers the `echo` service with the data it was sent.
#include <bib/plugin_export.hpp>
#include <bib/sdk.hpp>

class Echo final : public bib::ServicePlugin {
 public:
  void configure(bib::Context& ctx) override { ctx_ = &ctx; }
  std::vector<std::string> services() const override { return {"echo"}; }
  bib::Outcome handle(const bib::Request& request) override {
    ctx_->log().info("echo from {}", request.peer);
    return bib::Reply{request.data};
  }

 private:
  bib::Context* ctx_ = nullptr;
};

BIB_PLUGIN(echo, bib::PluginKind::service, "1.0.0", Echo)
