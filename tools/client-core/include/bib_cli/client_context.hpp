// Where the cluster is, like `nats context`: a small JSON file naming its endpoints,
//   {"name": "run", "broker": "tcp://127.0.1.2:5555", "proxy": "tcp://127.0.1.3:5558",
//    "reference": "tcp://127.0.1.1:5560"}
// that `bib-cluster up` writes into its work directory (context.json) and points at from a
// well-known place, $XDG_STATE_HOME/bulletinboard/current (a symbolic link; without
// XDG_STATE_HOME, ~/.local/state/bulletinboard/current). A client reads the file given by
// --context, else by BIB_CONTEXT, else the one `current` points at; keys it lacks fall through
// to the defaults. docs/client.md has the whole order (flags > environment > context > defaults).
#pragma once

#include <optional>
#include <string>

#include "bib/result.hpp"

namespace bib::cli {

struct ClientContext {
  std::string path;  // the file it was read from
  std::string name;  // a label for people ("run"); may be empty
  std::optional<std::string> broker;
  std::optional<std::string> proxy;
  std::optional<std::string> reference;
};

// The pointer a local cluster leaves for clients; empty when neither XDG_STATE_HOME (absolute)
// nor HOME is set.
std::string current_context_pointer();

// The context in `path`. An Error names the file and what is wrong with it (unreadable, not
// JSON, not an object, an endpoint that is not a non-empty string).
Result<ClientContext> read_client_context(const std::string& path);

}  // namespace bib::cli
