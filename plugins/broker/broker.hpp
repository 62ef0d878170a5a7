// The `broker` component plugin: reliable request-reply between clients and servers
// (docs/architecture.md, the ZeroMQ Guide's Paranoid Pirate). Clients talk to the frontend ROUTER
// with plain REQ or DEALER sockets and the usual envelopes; servers connect DEALER sockets to
// the backend ROUTER and speak the worker protocol (bib/worker_protocol.hpp, docs/broker.md).
// The decisions live in DispatchState; this class moves bytes and writes the logs.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <zmq.hpp>

#include "bib/refusal_log.hpp"
#include "bib/sdk.hpp"
#include "broker_metrics.hpp"
#include "broker_options.hpp"
#include "dispatch_state.hpp"

namespace bib::broker {

class Broker final : public ComponentPlugin {
 public:
  void configure(Context& ctx) override;
  void start() override;
  void stop() override;

 private:
  using Frames = std::vector<zmq::message_t>;
  using Route = std::vector<std::string>;

  void on_frontend();
  void on_backend();
  void on_tick();
  void client_request(Frames frames);
  void worker_message(Frames frames);
  void worker_reply(const std::string& identity, const std::string& who, Frames& frames);
  void carry_out(Actions actions);

  // Replies the broker writes itself: stamped, sent to `route`, logged (the replies to refused
  // messages at debug: the refusal log reports those, once per interval).
  void answer(const Route& route, Envelope reply, spdlog::level::level_enum wire = spdlog::level::info);
  void answer_error(const Route& route, const std::string& service, const std::string& description,
                    spdlog::level::level_enum wire = spdlog::level::info);
  // A client message refused before it could be read: counted on the refusal log, answered
  // `erro` "bad request: ..." on `route`.
  void refuse_client(const Route& route, std::string_view kind, const std::string& problem);
  void answer_status(const Route& route);
  // Raw bytes from a server to a client.
  void forward(const Route& route, const zmq::message_t& body);
  enum class Sent { yes, full, gone };
  // gone: the worker's connection is closed (ROUTER_MANDATORY); full: its queue is.
  Sent send_to_worker(const std::string& identity, std::string_view command,
                      std::string_view id = {}, std::string_view body = {});
  void tell_to_register(const std::string& identity);
  // Whether wire lines at info are written: lines that format a message are built only then.
  bool wire_on() const;
  // An envelope as one readable line for the wire log; "" when that log is off.
  std::string render(std::string_view body) const;

  Context* ctx_ = nullptr;
  BrokerOptions options_;
  DecodeLimits limits_;
  std::optional<DispatchState> state_;
  std::optional<BrokerMetrics> metrics_;  // after state_, which it reads
  std::optional<RefusalLog> refusals_;  // malformed input on both ports, once per interval
  std::optional<zmq::socket_t> frontend_;
  std::optional<zmq::socket_t> backend_;
  SocketWatch frontend_watch_;  // after the sockets: removed from the loop before they close
  SocketWatch backend_watch_;
  Timer tick_timer_;
  TimePoint next_heartbeat_{};
  std::map<std::string, TimePoint> told_to_register_;  // identity -> last DISCONNECT sent to it
};

}  // namespace bib::broker
