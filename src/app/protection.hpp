// Abuse-protection settings derived from the config, for serve() to wire:
// the shared rate table's path, the per-IP and lockout limits, and the
// server's connection limits.
#pragma once

#include "app/config.hpp"
#include "http/server.hpp"
#include "services/rate_limits.hpp"

#include <string>

namespace lk::app {

// --rate-limit-table, else /dev/shm/latchkey-<first 16 hex of SHA-256 of the
// data directory's canonical absolute path>: one table per data directory,
// the same across restarts, in memory (tmpfs) rather than on disk. Where
// there is no /dev/shm, DIR/ratelimit.shm.
std::string rate_table_path(const Config& config);

services::RateLimitSettings rate_limit_settings(const Config& config);
http::ServerOptions server_options(const Config& config);

}  // namespace lk::app
