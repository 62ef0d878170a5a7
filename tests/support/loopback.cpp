#include "support/loopback.hpp"

#include <random>
#include <stdexcept>

namespace bib::test {

LoopbackBlock::LoopbackBlock() {
  std::random_device rd;
  std::mt19937 gen(rd());
  a_ = std::uniform_int_distribution<int>(10, 250)(gen);
  b_ = std::uniform_int_distribution<int>(0, 255)(gen);
}

std::string LoopbackBlock::address(int host) const {
  if (host < 1 || host > 254) throw std::out_of_range("loopback host must be in [1, 254]");
  return "127." + std::to_string(a_) + "." + std::to_string(b_) + "." + std::to_string(host);
}

std::string LoopbackBlock::endpoint(int host, int port) const {
  return "tcp://" + address(host) + ":" + std::to_string(port);
}

}  // namespace bib::test
