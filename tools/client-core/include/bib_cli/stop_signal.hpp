// SIGINT and SIGTERM as a request to stop, for loops that must end cleanly (bib subscribe,
// bib-bot): the handler only sets a flag; a blocking zmq::poll returns with EINTR and the loop
// checks stop_requested().
#pragma once

namespace bib::cli {

void install_stop_handlers();
bool stop_requested() noexcept;

}  // namespace bib::cli
