// `latchkey backup --data DIR --to DEST`: a consistent copy of a data
// directory, also while a server is running on it.
//
// A running server holds RocksDB's LOCK, so no other process can open its
// DB. The server therefore listens on DIR/admin.sock, a Unix socket (mode
// 0600 inside the 0700 data dir: only the server's own user can connect),
// and on a request carrying the admin secret makes a RocksDB checkpoint into
// DEST/db. No network listener is involved, so a remote admin cannot make
// the server write files. With no server running, `latchkey backup` opens
// the DB itself and checkpoints it. Either way it then copies the secret
// files (master.key, admin-secret, dev-api-key when present) into DEST with
// mode 0600, and `latchkey serve --data DEST` serves the copy.
#pragma once

#include "core/error.hpp"
#include "core/net.hpp"

#include <memory>
#include <string>
#include <vector>

namespace boost::asio { class io_context; }
namespace lk { class Pool; }
namespace lk::store { class Store; }

namespace lk::app {

// The server side: answers checkpoint requests on DIR/admin.sock.
//
// Protocol, one exchange per connection: the client sends
// "checkpoint <admin secret> <absolute DEST/db>\n"; the server answers
// "ok\n" or "error <message>\n". The checkpoint runs on the blocking pool.
class BackupSocket {
 public:
  BackupSocket(net::io_context& io, store::Store& store, Pool& blocking, std::string data_dir,
               std::string admin_secret);
  ~BackupSocket();

  // Binds DIR/admin.sock (replacing a stale one: we hold the store lock, so
  // no other server owns it) and starts accepting. Fails when the path is
  // too long for a Unix socket or cannot be bound.
  [[nodiscard]] Result<void> start();
  // Stops accepting and removes the socket file. Idempotent.
  void stop();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// Runs `latchkey backup` with the arguments after "backup"; returns the
// process exit code (0 on success) and prints what went wrong on stderr.
int backup(const std::vector<std::string>& args);

}  // namespace lk::app
