// What bib-bench's clients ask for (docs/benchmarks.md):
//   login    a new user each time (a write)
//   publish  a post of --bytes bytes to the client's own channel (a write)
//   message  a private message of --bytes bytes to the client's own user (a write)
//   history  the newest page (100 posts) of the client's own channel (a read)
//   mix      60% publish, 20% message, 15% history, 5% login, chosen at random per request
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <random>
#include <string>
#include <vector>

#include "bib/client.hpp"
#include "bib/replica.hpp"

namespace bib::bench {

enum class Operation { login, publish, message, history };
const char* to_string(Operation op);

// The operations a workload name stands for, weighted by repetition ("mix": 20 entries).
// Throws std::invalid_argument for an unknown name.
std::vector<Operation> parse_workload(const std::string& name);

// The request body of a post of `bytes` bytes, as the raw echo's payload too (same size).
std::string post_payload(const std::string& user, int bytes);

class WorkloadClient {
 public:
  WorkloadClient(const std::string& broker, const bib::ClientOptions& options, std::string name, int bytes,
                 std::vector<Operation> operations, std::uint32_t seed);
  // Logs in, creates the client's channel, posts a few times so that history has a page.
  // Throws std::runtime_error saying what failed.
  void setup();
  // One request; false (and why in error) when the reply is not the expected one.
  bool run(std::string& operation, std::string& error);
  // Called with the reply's `seen` after every `every`-th acknowledged write (lag.hpp).
  void sample_writes(std::size_t every, std::function<void(bib::VersionVector)> fn) {
    sample_every_ = every;
    on_sampled_write_ = std::move(fn);
  }

 private:
  bool expect(const bib::Result<bib::Envelope>& reply, const char* status, std::string& error) const;
  // expect(), then a sample of the acknowledged write when one is due.
  bool write(bib::Result<bib::Envelope> reply, const char* status, std::string& error);

  bib::Client client_;
  std::string name_;
  std::string text_;
  std::vector<Operation> operations_;
  std::mt19937 random_;
  std::uint64_t logins_ = 0;
  std::size_t writes_ = 0;
  std::size_t sample_every_ = 0;
  std::function<void(bib::VersionVector)> on_sampled_write_;
};

}  // namespace bib::bench
