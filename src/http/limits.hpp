// Every HTTP limit in one place.
#pragma once

#include <chrono>
#include <cstddef>

namespace lk::http {

inline constexpr std::size_t kMaxHeaderBytes = 8 * 1024;
inline constexpr std::size_t kMaxBodyBytes = 64 * 1024;
inline constexpr int kMaxJsonDepth = 32;
// Deadline for a request's headers (default of --header-timeout), then for
// its body, and for writing one response: a client that trickles bytes
// (slowloris) is cut off whatever its pace.
inline constexpr std::chrono::seconds kHeaderTimeout{10};
inline constexpr std::chrono::seconds kReadTimeout{10};
inline constexpr std::chrono::seconds kWriteTimeout{10};
// How long an idle keep-alive connection may wait for its next request.
inline constexpr std::chrono::seconds kIdleTimeout{30};
inline constexpr std::size_t kMaxConnections = 10000;  // default of --max-connections
// How long a graceful shutdown waits for in-flight requests.
inline constexpr std::chrono::seconds kDrainTimeout{10};

}  // namespace lk::http
