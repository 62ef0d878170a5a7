// Each test that starts processes takes its own loopback block 127.A.B.0/24, chosen at random
// per test process, so parallel tests (ctest -j) never share an address:port.
#pragma once

#include <string>

namespace bib::test {

class LoopbackBlock {
 public:
  LoopbackBlock();  // random 127.A.B.0/24 with A in [10, 250], B in [0, 255]
  // "127.A.B.host" for host in [1, 254].
  std::string address(int host) const;
  // "tcp://127.A.B.host:port".
  std::string endpoint(int host, int port) const;

 private:
  int a_;
  int b_;
};

}  // namespace bib::test
