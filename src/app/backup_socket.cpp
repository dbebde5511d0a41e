// The server side of `latchkey backup` (app/backup.hpp): DIR/admin.sock.
#include "app/backup.hpp"

#include "core/log.hpp"
#include "core/offload.hpp"
#include "crypto/hash.hpp"
#include "store/store.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/local/stream_protocol.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/read_until.hpp>
#include <boost/asio/streambuf.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>

#include <sys/stat.h>
#include <sys/un.h>

#include <filesystem>
#include <istream>

namespace lk::app {

namespace {

using local = net::local::stream_protocol;
constexpr auto kToken = net::as_tuple(net::use_awaitable);
// A request is one short line; anything longer is not our client.
constexpr std::size_t kMaxRequest = 8192;

}  // namespace

struct BackupSocket::Impl {
  net::io_context& io;
  store::Store& store;
  Pool& blocking;
  std::string path;
  std::string admin_secret;
  local::acceptor acceptor;
  bool started = false;

  Impl(net::io_context& io_, store::Store& store_, Pool& blocking_, std::string data_dir, std::string secret)
      : io(io_), store(store_), blocking(blocking_), path(std::move(data_dir) + "/admin.sock"),
        admin_secret(std::move(secret)), acceptor(io_) {}

  awaitable<void> accept_loop() {
    for (;;) {
      auto [ec, socket] = co_await acceptor.async_accept(kToken);
      if (ec) co_return;  // stopped
      net::co_spawn(io, serve(std::move(socket)), net::detached);
    }
  }

  awaitable<void> serve(local::socket socket) {
    net::streambuf buffer(kMaxRequest);
    auto [ec, n] = co_await net::async_read_until(socket, buffer, '\n', kToken);
    if (ec) co_return;
    std::string line(static_cast<std::size_t>(n) - 1, '\0');
    std::istream(&buffer).read(line.data(), static_cast<std::streamsize>(line.size()));
    std::string reply = co_await answer(std::move(line));
    co_await net::async_write(socket, net::buffer(reply), kToken);
  }

  awaitable<std::string> answer(std::string line) {
    // "checkpoint <secret> <dest>": the destination may contain spaces.
    constexpr std::string_view kVerb = "checkpoint ";
    std::size_t space = line.find(' ', kVerb.size());
    if (!line.starts_with(kVerb) || space == std::string::npos) co_return "error bad request\n";
    std::string secret = line.substr(kVerb.size(), space - kVerb.size());
    std::string dest = line.substr(space + 1);
    // Constant time: the socket is private to our user, but the secret is
    // still the credential and must not leak through timing.
    if (!crypto::ct_equal(secret, admin_secret)) {
      log::warn("backup refused: wrong admin secret", {});
      co_return "error wrong admin secret\n";
    }
    if (dest.empty() || dest.front() != '/') co_return "error destination must be an absolute path\n";
    store::Store& s = store;
    auto made = co_await run_on(blocking, [&s, dest] { return s.checkpoint(dest); });
    if (!made) {
      log::error("backup failed", {{"dest", dest}, {"internal", made.error().internal}});
      co_return "error " + made.error().message + "\n";
    }
    log::notice("backup checkpoint created", {{"dest", dest}});
    co_return "ok\n";
  }
};

BackupSocket::BackupSocket(net::io_context& io, store::Store& store, Pool& blocking, std::string data_dir,
                           std::string admin_secret)
    : impl_(std::make_unique<Impl>(io, store, blocking, std::move(data_dir), std::move(admin_secret))) {}

BackupSocket::~BackupSocket() { stop(); }

Result<void> BackupSocket::start() {
  if (impl_->path.size() >= sizeof(sockaddr_un::sun_path)) {
    return make_error(Errc::internal_error, "data directory path too long for " + impl_->path);
  }
  std::error_code fs_ec;
  std::filesystem::remove(impl_->path, fs_ec);
  boost::system::error_code ec;
  impl_->acceptor.open(local(), ec);
  if (!ec) impl_->acceptor.bind(local::endpoint(impl_->path), ec);
  // Owner only, before listen(): the data dir is 0700 already; this also
  // covers a data dir someone loosened.
  if (!ec && ::chmod(impl_->path.c_str(), 0600) != 0) ec = {errno, boost::system::system_category()};
  if (!ec) impl_->acceptor.listen(net::socket_base::max_listen_connections, ec);
  if (ec) return make_error(Errc::internal_error, "cannot listen on " + impl_->path + ": " + ec.message());
  impl_->started = true;
  net::co_spawn(impl_->io, impl_->accept_loop(), net::detached);
  return {};
}

void BackupSocket::stop() {
  if (!impl_ || !impl_->started) return;
  impl_->started = false;
  // Closing from another thread than the io threads: post it to the io context.
  net::post(impl_->io, [impl = impl_.get()] {
    boost::system::error_code ec;
    impl->acceptor.close(ec);
  });
  std::error_code fs_ec;
  std::filesystem::remove(impl_->path, fs_ec);
}

}  // namespace lk::app
