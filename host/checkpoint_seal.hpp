// The envelope of the host's checkpoint (docs/persistence.md, "Checkpoints"): a magic word and
// a byte-order mark (a checkpoint is read back only where it was written), the node's name (a
// data directory of another node is never taken for this one's), the payload, and a 64-bit
// hash of all of it, so that a torn or altered checkpoint is refused before anything is
// restored from it.
#pragma once

#include <string>
#include <string_view>

#include "bib/state_bytes.hpp"

namespace bib::host {

// A writer with the envelope's head written: the payload goes after it, then seal() (the
// payload is large, so it is written once, in place).
bib::StateWriter checkpoint_writer(std::string_view node_name);
std::string seal(bib::StateWriter writer);
// The payload, or std::runtime_error saying why the bytes are not a checkpoint of node_name.
std::string_view unseal_checkpoint(std::string_view node_name, std::string_view sealed);

}  // namespace bib::host
