// The HTTP/1.1 listener and the per-connection coroutine (Boost.Beast).
// All of Beast's templates are instantiated in server.cpp only.
#pragma once

#include "core/error.hpp"
#include "core/net.hpp"
#include "http/router.hpp"

#include <atomic>
#include <memory>
#include <string>

namespace boost::asio { class io_context; }

namespace lk::http {

struct ServerState {
  std::atomic<int> connections{0};
  std::atomic<int> in_flight{0};  // requests being handled right now
  std::atomic<bool> stopping{false};
};

class Server {
 public:
  Server(net::io_context& io, const Router& router);
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
