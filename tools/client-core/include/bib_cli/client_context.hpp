// Where the cluster is, like `nats context`: a small JSON file naming its endpoints,
//   {"name": "run", "broker": "tcp://127.0.1.2:5555", "proxy": "tcp://127.0.1.3:5558",
//    "reference": "tcp://127.0.1.1:5560"}
// that `bib-cluster up` writes into its work directory (context.json) and points at from a
// well-known place, $XDG_STATE_HOME/bulletinboard/current (a symbolic link; without
// XDG_STATE_HOME, ~/.local/state/bulletinboard/current). A client reads the file given by
// --context, else by BIB_CONTEXT, else the one `current` points at; keys it lacks fall through
// to the defaults. docs/client.md has the whole order (flags > environment > context > defaults).
//
// Contexts can also be saved by name, as `nats context save` does: `bib context save compose`
// writes the endpoints in use to $XDG_CONFIG_HOME/bulletinboard/contexts/compose.json
// (~/.config/... without it); `--context compose` reads it, `bib context use compose` points
// `current` at it.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "bib/result.hpp"

namespace bib::cli {

struct ClientContext {
  std::string path;  // the file it was read from
  std::string name;  // a label for people ("run"); may be empty
  std::optional<std::string> broker;
  std::optional<std::string> proxy;
  std::optional<std::string> reference;
  // A cluster with CurveZMQ (docs/security.md): its keys folder (the reference and the servers
  // are asked as keys/tools.key), and the public key files of client ports that speak it.
  std::optional<std::string> keys;
  std::optional<std::string> broker_key;
  std::optional<std::string> proxy_key;
};

// The pointer a local cluster leaves for clients; empty when neither XDG_STATE_HOME (absolute)
// nor HOME is set.
std::string current_context_pointer();

// Where saved contexts live; empty when neither XDG_CONFIG_HOME (absolute) nor HOME is set.
std::string saved_contexts_dir();
// The file a --context value names: a path as given (it has a '/' or ends in ".json"), else the
// saved context of that name.
std::string context_path(const std::string& name_or_path);
// The names of the saved contexts, sorted.
std::vector<std::string> saved_context_names();

// Writes `context`'s endpoints to `path` (beside it, then renamed: never torn).
Result<bool> write_client_context(const std::string& path, const ClientContext& context);
// Points current_context_pointer() at `path` (a symbolic link, replaced atomically).
Result<bool> point_current_at(const std::string& path);

// The context in `path`. An Error names the file and what is wrong with it (unreadable, not
// JSON, not an object, an endpoint that is not a non-empty string).
Result<ClientContext> read_client_context(const std::string& path);

}  // namespace bib::cli
