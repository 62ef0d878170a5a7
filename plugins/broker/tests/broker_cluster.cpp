#include "broker_cluster.hpp"

#include <fstream>
#include <stdexcept>

#include <gtest/gtest.h>

#include "support/raw_request.hpp"
#include "support/readiness.hpp"
#include "support/wait.hpp"

namespace bib::test {

using namespace std::chrono_literals;

std::optional<std::string> call_raw(zmq::context_t& zmq, const std::string& endpoint,
                                    const std::string& body, std::chrono::milliseconds timeout) {
  return plain::ask_raw(zmq, endpoint, body, timeout);
}
std::optional<Envelope> call(zmq::context_t& zmq, const std::string& endpoint,
                             const std::string& service, Value data,
                             std::chrono::milliseconds timeout) {
  auto raw = call_raw(zmq, endpoint, encode_envelope({service, std::move(data)}), timeout);
  if (!raw) return std::nullopt;
  auto decoded = decode_envelope(*raw);
  if (!decoded) {
    ADD_FAILURE() << "undecodable reply: " << decoded.error().message;
    return std::nullopt;
  }
  return std::move(decoded).value();
}

int BrokerView::live_count() const {
  int n = 0;
  for (const auto& w : workers) n += w.live ? 1 : 0;
  return n;
}

bool BrokerView::is_live(const std::string& name) const {
  for (const auto& w : workers) {
    if (w.name == name) return w.live;
  }
  return false;
}

BrokerCluster::BrokerCluster(const std::string& name) : dir_(make_temp_dir(name)) {}

std::unique_ptr<Process> BrokerCluster::start(const std::string& name, const std::string& config,
                                              const std::string& endpoint, const Readiness& ready) {
  const std::string run = name + "-" + std::to_string(++runs_);
  const std::string path = dir_ + "/" + run + ".toml";
  std::ofstream(path) << config;
  auto process = std::make_unique<Process>(
      std::vector<std::string>{bin_path("bib-host"), "--config", path}, dir_ + "/" + run + ".log");
  if (!wait_ready(*process, endpoint, ready)) {
    throw std::runtime_error(name + " did not start:\n" + process->log());
  }
  return process;
}

void BrokerCluster::start_broker() {
  broker_ = start("broker",
                  "[host]\n"
                  "name = \"broker\"\n"
                  "log_level = \"debug\"\n"
                  "\n"
                  "[[plugins]]\n"
                  "name = \"broker\"\n"
                  "frontend = \"" + frontend() + "\"\n"
                  "backend = \"" + backend() + "\"\n"
                  "heartbeat_ms = " + std::to_string(kHeartbeat.count()) + "\n"
                  "liveness = " + std::to_string(kLiveness) + "\n"
                  "hold_ms = " + std::to_string(kHold.count()) + "\n",
                  // It serves once its own `broker` service answers on the client port.
                  frontend(), Readiness("broker"));
}

void BrokerCluster::start_server(int n) {
  const std::string name = "server-" + std::to_string(n);
  servers_[n] = start(name,
                      "[host]\n"
                      "name = \"" + name + "\"\n"
                      "log_level = \"debug\"\n"
                      "listen = \"" + block_.endpoint(1 + n, 5561) + "\"\n"
                      "broker = \"" + backend() + "\"\n"
                      "heartbeat_ms = " + std::to_string(kHeartbeat.count()) + "\n"
                      "liveness = " + std::to_string(kLiveness) + "\n"
                      "\n"
                      "[[plugins]]\n"
                      "name = \"ping\"\n"
                      "\n"
                      "[[plugins]]\n"
                      "name = \"fixture-slow\"\n",
                      // It serves once it answers `status` on its direct port.
                      block_.endpoint(1 + n, 5561), Readiness());
}

std::optional<BrokerView> BrokerCluster::view() {
  auto reply = call(zmq_, frontend(), "broker", Map{}, 2s);
  if (!reply || reply->data.opt_string("status") != "OK") return std::nullopt;
  BrokerView v;
  for (const auto& w : reply->data.get_array("workers")) {
    v.workers.push_back({w.get_string("name"), w.get_bool("live"), w.get_int("inflight")});
  }
  v.pending = reply->data.get_int("pending");
  v.requests = reply->data.get_int("requests");
  v.replies = reply->data.get_int("replies");
  v.resent = reply->data.opt_int("resent").value_or(0);
  return v;
}

bool BrokerCluster::wait_live(int count, std::chrono::milliseconds timeout) {
  return wait_until(
      [&] {
        auto v = view();
        return v && v->live_count() == count;
      },
      timeout);
}

bool BrokerCluster::wait_worker(const std::string& name, bool live,
                                std::chrono::milliseconds timeout) {
  return wait_until(
      [&] {
        auto v = view();
        return v && v->is_live(name) == live;
      },
      timeout);
}

std::string BrokerCluster::logs() {
  std::string out;
  if (broker_) out += "--- broker\n" + broker_->log();
  for (auto& [n, p] : servers_) {
    if (p) out += "--- server-" + std::to_string(n) + "\n" + p->log();
  }
  return out;
}

}  // namespace bib::test
