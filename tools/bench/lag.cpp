#include "lag.hpp"

#include <memory>

#include "bib/client.hpp"

namespace bib::bench {

LagProbe::LagProbe(std::vector<std::string> servers, std::chrono::milliseconds pause)
    : servers_(std::move(servers)), pause_(pause), thread_([this] { poll(); }) {}

LagProbe::~LagProbe() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  changed_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void LagProbe::sample(bib::VersionVector seen) {
  {
    std::lock_guard lock(mutex_);
    pending_.push_back({Clock::now(), std::move(seen)});
  }
  changed_.notify_all();
}

void LagProbe::poll() {
  bib::ClientOptions options;
  options.timeout = std::chrono::milliseconds(1000);
  options.retries = 1;
  options.session = false;
  std::vector<std::unique_ptr<bib::Client>> clients;
  for (const std::string& endpoint : servers_) clients.push_back(std::make_unique<bib::Client>(endpoint, options));
  for (;;) {
    {
      std::unique_lock lock(mutex_);
      changed_.wait(lock, [&] { return stopping_ || !pending_.empty(); });
      if (stopping_) return;
    }
    // One round: every server's version vector, then every sample all of them cover.
    std::vector<bib::VersionVector> vectors;
    for (auto& client : clients) {
      auto reply = client->request("status");
      if (!reply) break;
      try {
        const bib::Value* vv = reply.value().data.find("version_vector");
        if (vv == nullptr) break;
        vectors.push_back(bib::version_vector_from_value(*vv, "version_vector"));
      } catch (const std::exception&) {
        break;
      }
    }
    const auto now = Clock::now();
    {
      std::lock_guard lock(mutex_);
      if (vectors.size() == clients.size()) {
        for (auto it = pending_.begin(); it != pending_.end();) {
          bool everywhere = true;
          for (const auto& vv : vectors) everywhere = everywhere && bib::covers(vv, it->seen);
          if (!everywhere) {
            ++it;
            continue;
          }
          lags_ms_.push_back(std::chrono::duration<double, std::milli>(now - it->acknowledged).count());
          it = pending_.erase(it);
        }
      }
    }
    changed_.notify_all();
    std::this_thread::sleep_for(pause_);  // the polling interval, not a wait for an event
  }
}

Summary LagProbe::finish(double timeout_s) {
  const auto start = Clock::now();
  std::unique_lock lock(mutex_);
  changed_.wait_until(lock, start + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(timeout_s)),
                      [&] { return pending_.empty(); });
  const std::size_t unseen = pending_.size();
  std::vector<double> lags = lags_ms_;
  lock.unlock();
  const double seconds = std::chrono::duration<double>(Clock::now() - start).count();
  return summarize("replication lag", std::move(lags), unseen, seconds);
}

}  // namespace bib::bench
