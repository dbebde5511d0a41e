// The HTTP/1.1 listener and the per-connection coroutine (Boost.Beast).
// All of Beast's templates are instantiated in server.cpp only.
#pragma once

#include "core/error.hpp"
#include "core/net.hpp"
#include "http/client_ip.hpp"
#include "http/limits.hpp"
#include "http/router.hpp"

#include <atomic>
#include <chrono>
#include <memory>
#include <string>
#include <vector>

namespace boost::asio { class io_context; }

namespace lk::http {

struct ServerState {
  std::atomic<int> connections{0};
  std::atomic<int> in_flight{0};  // requests being handled right now
  std::atomic<bool> stopping{false};
};

// The limits that are flags (app/config.hpp); the rest are in limits.hpp.
struct ServerOptions {
  // Peers whose X-Forwarded-For is believed (see http/client_ip.hpp).
  std::vector<Cidr> trusted_proxies;
  // From accept (or a kept-alive request's first byte) to the end of the
  // headers, however slowly they trickle in (slowloris).
  std::chrono::seconds header_timeout = kHeaderTimeout;
  // Past it, a new connection gets 503 SERVICE_BUSY and is closed.
  std::size_t max_connections = kMaxConnections;
  // A shed request's answer (Response::shed: a 503 with Retry-After from
  // the hashing pool or the disk guard) waits this long before it is sent,
  // on a timer, not a thread: a client that resends at once, ignoring
  // Retry-After, would otherwise turn shedding into a busy loop that takes
  // the CPU from every other request (tools/bench's login flood: ~15,000
  // 503s a second).
  std::chrono::milliseconds shed_pause{250};
};

class Server {
 public:
  Server(net::io_context& io, const Router& router, ServerOptions options = {});
  ~Server();

  // Binds and listens on host:port (port 0 picks a free one). Returns the
  // bound address as "host:port", or an error naming the address.
  [[nodiscard]] Result<std::string> listen(const std::string& host, unsigned short port);
  // Starts the accept loop on the io_context.
  void start();
  // Stops accepting; connections finish their current request, then close.
  void stop_accepting();
  int in_flight() const { return state_->in_flight.load(); }

  struct Impl;  // public only so the accept coroutine in server.cpp can name it

 private:
  std::unique_ptr<Impl> impl_;
  std::shared_ptr<ServerState> state_;
};

}  // namespace lk::http
