// Exit codes of bib and bib-bot: a script tells success, a rejected request and an
// unreachable cluster apart (docs/client.md).
#pragma once

namespace bib::cli {

enum ExitCode : int {
  kSuccess = 0,      // every request was answered and accepted
  kRejected = 1,     // the cluster answered with status "erro" (or an unusable reply)
  kUsage = 2,        // bad command line (every CLI11 parse error is mapped to it)
  kUnreachable = 3,  // no reply after every retry
};

// The worse of two outcomes, for commands that send several requests: unreachable beats
// rejected beats success.
constexpr int worse(int a, int b) { return a > b ? a : b; }

}  // namespace bib::cli
