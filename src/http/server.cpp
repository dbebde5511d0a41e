#include "http/server.hpp"

#include "core/clock.hpp"
#include "core/log.hpp"
#include "core/metrics.hpp"
#include "http/envelope.hpp"
#include "http/limits.hpp"
#include "http/request_id.hpp"
#include "http/response_head.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/buffers_suffix.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>

#include <sys/socket.h>

#include <array>
#include <cerrno>
#include <chrono>
#include <cstdint>
#include <iterator>
#include <memory>

namespace lk::http {

using tcp = net::ip::tcp;
constexpr auto kUseTuple = net::as_tuple(net::use_awaitable);

struct Server::Impl {
  net::io_context& io;
  const Router& router;
  ServerOptions options;
  tcp::acceptor acceptor;
  Impl(net::io_context& io_, const Router& router_, ServerOptions options_)
      : io(io_), router(router_), options(std::move(options_)), acceptor(net::make_strand(io_)) {}
};

namespace {

// Who sent a connection's requests, worked out once per connection: only a
// trusted proxy's requests need X-Forwarded-For read each time.
struct Peer {
  std::string ip;         // the socket peer
  std::string client_ip;  // resolve_client_ip without X-Forwarded-For
  bool trusted_proxy = false;
};

Request to_request(bhttp::request<bhttp::string_body>&& raw, const Peer& peer, const ServerOptions& options) {
  Request req;
  req.method = std::string(raw.method_string());
  std::string_view target = raw.target();
  std::size_t q = target.find('?');
  req.path = std::string(target.substr(0, q));
  if (q != std::string_view::npos) req.query = std::string(target.substr(q + 1));
  req.headers.reserve(static_cast<std::size_t>(std::distance(raw.begin(), raw.end())));
  for (const auto& field : raw) {
    std::string name(field.name_string());
    // Field names are ASCII tokens (the parser enforces it): no locale.
    for (auto& ch : name) {
      if (ch >= 'A' && ch <= 'Z') ch = static_cast<char>(ch - 'A' + 'a');
    }
    req.headers.emplace_back(std::move(name), std::string(field.value()));
  }
  req.body = std::move(raw.body());
  if (peer.trusted_proxy) {
    // Every X-Forwarded-For header, in order, as one list: a proxy may add
    // its own header line rather than append to the client's.
    std::string forwarded;
    for (const auto& [name, value] : req.headers) {
      if (name != "x-forwarded-for") continue;
      if (!forwarded.empty()) forwarded.push_back(',');
      forwarded += value;
    }
    req.client_ip = resolve_client_ip(peer.ip, forwarded, options.trusted_proxies);
  } else {
    req.client_ip = peer.client_ip;
  }
  req.request_id = request_id_from(req.header("x-request-id"));
  return req;
}

// CORS preflight: answered for any path; the real request is then checked
// against the tenant's allowed origins (see api/context.cpp).
Response preflight(const Request& req) {
  Response res;
  res.status = 204;
  res.content_type.clear();
  if (auto origin = req.header("origin")) {
    res.add_header("Access-Control-Allow-Origin", std::string(*origin));
    res.add_header("Access-Control-Allow-Credentials", "true");
    res.add_header("Access-Control-Allow-Methods", "GET, POST, PUT, PATCH, DELETE, OPTIONS");
    res.add_header("Access-Control-Allow-Headers", "Content-Type, X-API-Key, Authorization, X-Request-Id");
    res.add_header("Access-Control-Max-Age", "600");
    res.add_header("Vary", "Origin");
  }
  return res;
}

// Writes the head and the body with one gathered send (the caller empties
// the body of bodiless statuses). A HEAD answer's head describes the body a
// GET would get (its Content-Length, RFC 9110 8.6) and the body stays
// unsent: `send_body` false.
awaitable<beast::error_code> write_response(beast::tcp_stream& stream, std::string& head, const Response& res,
                                            HeadOptions options, bool send_body = true) {
  head.clear();
  append_response_head(head, res, options);
  std::array<net::const_buffer, 2> buffers{net::buffer(head), send_body ? net::buffer(res.body) : net::const_buffer()};
  // Nearly every answer fits the socket's send buffer, so try one
  // non-blocking send first (the socket is in non-blocking mode, see
  // do_session). Only what is left, when the client reads slowly, goes
  // through an asynchronous write with its deadline: that saves the timer,
  // the reactor and a coroutine suspension on almost every response.
  beast::error_code ec;
  std::size_t sent = stream.socket().write_some(buffers, ec);
  if (ec == net::error::would_block || ec == net::error::try_again) {
    ec = {};
    sent = 0;
  }
  if (ec || sent == net::buffer_size(buffers)) co_return ec;
  beast::buffers_suffix<std::array<net::const_buffer, 2>> rest(buffers);
  rest.consume(sent);
  stream.expires_after(kWriteTimeout);
  auto [wec, written] = co_await net::async_write(stream, rest, kUseTuple);
  co_return wec;
}

awaitable<void> write_error_and_close(beast::tcp_stream& stream, Errc code, std::string message,
                                      int retry_after_s = 0) {
  Error error = make_error(code, std::move(message));
  error.retry_after_s = retry_after_s;
  std::string head;
  std::string request_id = new_request_id();
  co_await write_response(stream, head, error_response(error), {11, false, request_id, true});
  beast::error_code ec;
  stream.socket().shutdown(tcp::socket::shutdown_send, ec);
}

// Whether the buffer holds a blank line, i.e. (unless a client sent empty
// lines before its request line) the end of a request header.
bool header_buffered(const beast::flat_buffer& buffer) {
  std::string_view data(static_cast<const char*>(buffer.data().data()), buffer.size());
  return data.find("\r\n\r\n") != std::string_view::npos;
}

struct ConnectionGuard {
  ServerState& state;
  explicit ConnectionGuard(ServerState& s) : state(s) { state.connections.fetch_add(1); }
  ~ConnectionGuard() { state.connections.fetch_sub(1); }
};

struct InFlightGuard {
  ServerState& state;
  explicit InFlightGuard(ServerState& s) : state(s) {
    state.in_flight.fetch_add(1);
    gauge().fetch_add(1, std::memory_order_relaxed);
  }
  ~InFlightGuard() {
    state.in_flight.fetch_sub(1);
    gauge().fetch_sub(1, std::memory_order_relaxed);
  }
  static std::atomic<std::int64_t>& gauge() {
    static auto& g = metrics::gauge("latchkey_in_flight_requests", "Requests being handled.");
    return g;
  }
};

// Watches a connection while one of its requests is handled. A client that
// closes the connection meanwhile has given up on the answer: the watch then
// cancels the request's coroutine (see dispatch_cancellable), and a pool that
// skips abandoned jobs (the password hashes, see core/offload.hpp) drops the
// work the request queued. Shared by the session and the pending wait on the
// socket; both run on the connection's strand.
struct CloseWatch {
  net::cancellation_signal signal;
  // Counts watches begun and ended: a wait whose number is no longer
  // current belongs to a watch that has ended.
  std::uint64_t watch = 0;
  bool waiting = false;  // an async_wait of the current watch is pending
  bool closed = false;   // the client closed while its request was handled
};

void wait_for_close(tcp::socket& socket, const std::shared_ptr<CloseWatch>& watch) {
  watch->waiting = true;
  socket.async_wait(tcp::socket::wait_read, [&socket, watch, number = watch->watch](beast::error_code ec) {
    // Its watch has ended (the answer is on its way, the socket may be
    // gone): not ours to touch.
    if (number != watch->watch) return;
    watch->waiting = false;
    if (ec) return;
    char byte = 0;
    ssize_t n = ::recv(socket.native_handle(), &byte, 1, MSG_PEEK | MSG_DONTWAIT);
    if (n > 0) return;  // the next request, pipelined: the client is still there
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)) {
      wait_for_close(socket, watch);
      return;
    }
    watch->closed = true;  // end of stream, or reset
    watch->signal.emit(net::cancellation_type::terminal);
  });
}

// Requests that can queue a password hash (none is a GET) are watched; the
// rest answer too fast for a watch to pay.
bool worth_watching(const std::string& method) { return method != "GET" && method != "HEAD" && method != "OPTIONS"; }

void start_watch(tcp::socket& socket, const std::shared_ptr<CloseWatch>& watch) {
  ++watch->watch;
  wait_for_close(socket, watch);
}

void stop_watch(tcp::socket& socket, CloseWatch& watch) {
  ++watch.watch;
  beast::error_code ec;
  if (watch.waiting) socket.cancel(ec);
}

// A watched request runs as a coroutine of its own, spawned with the watch's
// cancellation slot, so that only watched requests pay for a connected slot
// (every asynchronous operation registers with it). Cancelled, it carries on
// to its end: only the operations that opt in react.
awaitable<Response> dispatch_cancellable(const Router* router, Request& req) {
  co_await net::this_coro::throw_if_cancelled(false);
  co_return co_await router->dispatch(req);
}

awaitable<void> do_session(beast::tcp_stream stream, const Router* router, const ServerOptions* options,
                           std::shared_ptr<ServerState> state, std::shared_ptr<CloseWatch> watch) {
  ConnectionGuard connection(*state);
  // Synchronous sends then return would_block instead of waiting (see
  // write_response); Asio's asynchronous operations are unaffected.
  beast::error_code nb_ec;
  stream.socket().non_blocking(true, nb_ec);
  if (nb_ec) co_return;
  // Refused with an answer rather than a silent close, so a client (or a
  // load balancer) can tell overload from a crash.
  if (state->connections.load() > static_cast<int>(options->max_connections)) {
    co_await write_error_and_close(stream, Errc::service_busy, "Too many connections", 1);
    co_return;
  }
  beast::error_code peer_ec;
  auto endpoint = stream.socket().remote_endpoint(peer_ec);
  Peer peer;
  peer.ip = peer_ec ? std::string("unknown") : endpoint.address().to_string();
  peer.client_ip = resolve_client_ip(peer.ip, {}, options->trusted_proxies);
  peer.trusted_proxy = is_trusted_proxy(peer.ip, options->trusted_proxies);

  beast::flat_buffer buffer;
  std::string head;  // reused for every response on this connection
  bool first = true;
  while (!state->stopping.load()) {
    // A fresh parser per request carries the header and body limits.
    bhttp::request_parser<bhttp::string_body> parser;
    parser.header_limit(kMaxHeaderBytes);
    parser.body_limit(kMaxBodyBytes);
    if (!first && buffer.size() == 0) {
      // A kept-alive connection may sit idle until its next request starts.
      stream.expires_after(kIdleTimeout);
      auto [idle_ec, n] = co_await stream.async_read_some(buffer.prepare(4096), kUseTuple);
      if (idle_ec) break;
      buffer.commit(n);
    }
    first = false;
    beast::error_code ec;
    std::size_t bytes = 0;
    // The idle read nearly always brings the whole header. Then parse it
    // here: an asynchronous read would do no I/O but still post its
    // completion and suspend the coroutine. (The socket is non-blocking, so
    // should the parser want more after all, this returns would_block and
    // the asynchronous read below carries on with the same parser.)
    if (header_buffered(buffer)) {
      bytes = bhttp::read_header(stream.socket(), buffer, parser, ec);
    }
    if (!parser.is_header_done() && (!ec || ec == net::error::would_block || ec == net::error::try_again)) {
      // Slowloris: one deadline for the whole header, not per read, so a
      // client cannot hold the connection by trickling a byte at a time.
      stream.expires_after(options->header_timeout);
      auto [read_ec, read_bytes] = co_await bhttp::async_read_header(stream, buffer, parser, kUseTuple);
      ec = read_ec;
      bytes += read_bytes;
    }
    if (!ec && !parser.is_done()) {
      stream.expires_after(kReadTimeout);
      auto [body_ec, body_bytes] = co_await bhttp::async_read(stream, buffer, parser, kUseTuple);
      ec = body_ec;
      bytes += body_bytes;
    }
    if (ec == bhttp::error::body_limit) {
      co_await write_error_and_close(stream, Errc::payload_too_large, "Request body exceeds 64 KiB");
      co_return;
    }
    if (ec == bhttp::error::header_limit) {
      co_await write_error_and_close(stream, Errc::headers_too_large, "Request headers exceed 8 KiB");
      co_return;
    }
    if (ec == bhttp::error::end_of_stream || ec == beast::error::timeout || ec == net::error::operation_aborted)
      break;
    if (ec) {
      if (bytes > 0 || buffer.size() > 0) {
        co_await write_error_and_close(stream, Errc::validation_error, "Malformed HTTP request");
        co_return;
      }
      break;
    }

    InFlightGuard in_flight(*state);
    auto started = std::chrono::steady_clock::now();
    unsigned version = parser.get().version();
    bool keep_alive = parser.get().keep_alive();
    Request req = to_request(parser.release(), peer, *options);
    // Plain statements around co_await: GCC 12 mishandles co_await inside a
    // conditional expression.
    Response res;
    if (req.method == "OPTIONS") {
      res = preflight(req);
    } else if (worth_watching(req.method)) {
      start_watch(stream.socket(), watch);
      res = co_await net::co_spawn(stream.get_executor(), dispatch_cancellable(router, req),
                                   net::bind_cancellation_slot(watch->signal.slot(), net::use_awaitable));
      stop_watch(stream.socket(), *watch);
    } else {
      res = co_await router->dispatch(req);
    }
    int status = res.status;
    // Statuses that cannot have a body send none; HEAD sends the head of
    // the GET answer (its Content-Length included) without the body.
    if (bodiless(status)) res.body.clear();
    bool send_body = req.method != "HEAD";
    keep_alive = keep_alive && !state->stopping.load();
    HeadOptions head_options{version, keep_alive, req.request_id, req.path.starts_with("/api/")};
    // Counted before the answer leaves, so a client that scrapes /metrics
    // right after its answer sees its own request (the time is the handler's;
    // the write is one non-blocking send in the common case).
    auto micros =
        std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() - started).count();
    static auto& unrouted = metrics::route_metrics("unrouted");
    metrics::observe_request(req.route_metrics ? *req.route_metrics : unrouted, status,
                             static_cast<std::int64_t>(micros));
    // A 499 (its hash skipped because the client left) has no one to go to.
    bool answer = status != kClientClosedStatus;
    if (answer && res.shed && options->shed_pause.count() > 0) {
      net::steady_timer pause(stream.get_executor(), options->shed_pause);
      co_await pause.async_wait(kUseTuple);
    }
    beast::error_code wec;
    if (answer) wec = co_await write_response(stream, head, res, head_options, send_body);
    log::info("request", {{"method", req.method},
                          {"path", req.path},
                          {"tenant", res.log_tenant},
                          {"status", static_cast<std::int64_t>(status)},
                          {"us", static_cast<std::int64_t>(micros)},
                          {"request_id", req.request_id}});
    // A client that closed its side sends no further request.
    if (!answer || wec || !keep_alive || watch->closed) break;
  }
  beast::error_code ec;
  stream.socket().shutdown(tcp::socket::shutdown_send, ec);
}

awaitable<void> accept_loop(Server::Impl* impl, std::shared_ptr<ServerState> state) {
  for (;;) {
    auto [ec, socket] = co_await impl->acceptor.async_accept(net::make_strand(impl->io), kUseTuple);
    if (ec) {
      if (ec == net::error::operation_aborted || !impl->acceptor.is_open()) co_return;
      // Out of file descriptors and the like: log, back off briefly, go on.
      log::warn("accept failed", {{"error", ec.message()}});
      continue;
    }
    beast::error_code opt_ec;
    socket.set_option(tcp::no_delay(true), opt_ec);
    auto executor = socket.get_executor();
    auto watch = std::make_shared<CloseWatch>();
    net::co_spawn(executor,
                  do_session(beast::tcp_stream(std::move(socket)), &impl->router, &impl->options, state, watch),
                  [executor, watch](std::exception_ptr e) mutable {
                    // The signal holds the last request coroutine's
                    // cancellation state, which co_spawn may still touch
                    // after this call: it goes after that coroutine's last
                    // step.
                    net::post(executor, [watch = std::move(watch)] {});
                    if (!e) return;
                    try {
                      std::rethrow_exception(e);
                    } catch (const std::exception& ex) {
                      log::error("connection failed", {{"what", ex.what()}});
                    }
                  });
  }
}

}  // namespace

Server::Server(net::io_context& io, const Router& router, ServerOptions options)
    : impl_(std::make_unique<Impl>(io, router, std::move(options))), state_(std::make_shared<ServerState>()) {}

Server::~Server() = default;

Result<std::string> Server::listen(const std::string& host, unsigned short port) {
  beast::error_code ec;
  auto address = net::ip::make_address(host, ec);
  if (ec) return make_error(Errc::internal_error, "invalid listen address " + host);
  tcp::endpoint endpoint(address, port);
  auto& acceptor = impl_->acceptor;
  acceptor.open(endpoint.protocol(), ec);
  if (!ec) acceptor.set_option(net::socket_base::reuse_address(true), ec);
  if (!ec) acceptor.bind(endpoint, ec);
  if (!ec) acceptor.listen(net::socket_base::max_listen_connections, ec);
  if (ec) {
    return make_error(Errc::internal_error,
                      "cannot listen on " + host + ":" + std::to_string(port) + ": " + ec.message());
  }
  auto bound = acceptor.local_endpoint();
  std::string addr = bound.address().to_string();
  if (bound.address().is_v6()) addr = "[" + addr + "]";
  return addr + ":" + std::to_string(bound.port());
}

void Server::start() {
  net::co_spawn(impl_->acceptor.get_executor(), accept_loop(impl_.get(), state_), net::detached);
}

void Server::stop_accepting() {
  state_->stopping.store(true);
  // The acceptor lives on its strand; close it there, not from this thread.
  net::post(impl_->acceptor.get_executor(), [impl = impl_.get()] {
    beast::error_code ec;
    impl->acceptor.close(ec);
  });
}

}  // namespace lk::http
