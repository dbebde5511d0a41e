// Wiring: opens the store, builds the services, serves until SIGTERM/SIGINT.
#pragma once

#include "app/config.hpp"

namespace lk::app {

// Returns the process exit code: 0 after a graceful shutdown, non-zero when
// the server could not start (the reason is logged and printed).
int serve(const Config& config);

}  // namespace lk::app
