// Who may connect to this node's CURVE sockets: the decision the ZAP handler (zap_handler.hpp)
// makes for each handshake, apart from its sockets so it is tested in-process.
//
//   domain "bib-cluster" (ports 5556, 5557, 5560, 5561, 5562): the client's public key must be
//     one of keys_dir's NAME.pub; it is let in as NAME (the ZAP user id).
//   domain "bib-clients" (ports 5555, 5558 with host.client_security "curve"): any key: the
//     course protocol authenticates no client, so CURVE there is encryption only.
//   anything else (another mechanism, an unknown domain): refused.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "bib/curve_allow_list.hpp"

namespace bib::host {

struct ZapVerdict {
  bool accepted = false;
  std::string user_id;  // the member's name, or "client"
  std::string reason;   // why it was refused, for the log
};

class ZapPolicy {
 public:
  // `members`: keys_dir's keys; nullopt when the cluster links are plain (every cluster
  // handshake is then refused: no socket of that domain should exist).
  explicit ZapPolicy(std::optional<bib::CurveAllowList> members);

  // `key`: the client's CURVE public key, 32 bytes, as ZAP hands it over.
  ZapVerdict judge(std::string_view domain, std::string_view mechanism, std::string_view key);

 private:
  std::optional<bib::CurveAllowList> members_;
};

// A 32-byte key as Z85 (for log lines), or its length when it is not 32 bytes.
std::string key_text(std::string_view key);

}  // namespace bib::host
