// The client side of `latchkey backup` (app/backup.hpp).
#include "app/backup.hpp"

#include "app/secrets.hpp"
#include "store/store.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/local/stream_protocol.hpp>
#include <boost/asio/read_until.hpp>
#include <boost/asio/write.hpp>

#include <sys/stat.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <optional>

namespace lk::app {

namespace {

namespace fs = std::filesystem;
using local = net::local::stream_protocol;

// Copied with the checkpoint: without master.key the copy's secrets cannot
// be opened; admin-secret and dev-api-key keep the copy usable as is.
constexpr const char* kSecretFiles[] = {"master.key", "admin-secret", "dev-api-key"};

struct BackupArgs {
  std::string data_dir;
  std::string dest;
  std::string admin_secret;  // empty: LATCHKEY_ADMIN_SECRET, then DIR/admin-secret
};

std::optional<BackupArgs> parse(const std::vector<std::string>& args) {
  BackupArgs out;
  for (std::size_t i = 0; i < args.size(); ++i) {
    std::string flag = args[i];
    if (i + 1 >= args.size()) return std::nullopt;
    const std::string& value = args[++i];
    if (flag == "--data") out.data_dir = value;
    else if (flag == "--to") out.dest = value;
    else if (flag == "--admin-secret") out.admin_secret = value;
    else return std::nullopt;
  }
  if (out.data_dir.empty() || out.dest.empty()) return std::nullopt;
  return out;
}

// Asks the server running on data_dir for a checkpoint. nullopt when no
// server answers on DIR/admin.sock (none running); otherwise its answer.
std::optional<Result<void>> ask_server(const BackupArgs& a, const std::string& db_dest) {
  net::io_context io;
  local::socket socket(io);
  boost::system::error_code ec;
  socket.connect(local::endpoint(a.data_dir + "/admin.sock"), ec);
  if (ec) return std::nullopt;
  std::string secret = a.admin_secret;
  if (secret.empty()) {
    const char* env = std::getenv("LATCHKEY_ADMIN_SECRET");
    if (env != nullptr && *env != '\0') secret = env;
  }
  if (secret.empty()) {
    auto file = read_secret(a.data_dir + "/admin-secret");
    if (!file) return Result<void>(file.error());
    secret = *file;
  }
  std::string request = "checkpoint " + secret + " " + db_dest + "\n";
  net::write(socket, net::buffer(request), ec);
  std::string reply;
  if (!ec) net::read_until(socket, net::dynamic_buffer(reply), '\n', ec);
  if (ec) return Result<void>(make_error(Errc::internal_error, "the server dropped the backup request: " + ec.message()));
  if (reply.starts_with("ok")) return Result<void>();
  std::string why = reply.starts_with("error ") ? reply.substr(6) : reply;
  while (!why.empty() && why.back() == '\n') why.pop_back();
  return Result<void>(make_error(Errc::internal_error, "the server refused the backup: " + why));
}

// No server running: open the DB ourselves (its LOCK keeps a server from
// starting meanwhile) and checkpoint it.
Result<void> checkpoint_offline(const BackupArgs& a, const std::string& db_dest) {
  std::string db = a.data_dir + "/db";
  if (!fs::exists(db + "/CURRENT")) return make_error(Errc::internal_error, "no latchkey database in " + a.data_dir);
  auto store = store::Store::open({db, store::Durability::strict});
  if (!store) return store.error();
  return (*store)->checkpoint(db_dest);
}

Result<void> copy_secrets(const BackupArgs& a) {
  for (const char* name : kSecretFiles) {
    std::string from = a.data_dir + "/" + name;
    if (!fs::exists(from)) {
      if (std::string_view(name) == "master.key") {
        std::fprintf(stderr, "latchkey: note: no %s (the key comes from --master-key): keep that key with the backup\n",
                     from.c_str());
      }
      continue;
    }
    auto value = read_secret(from);
    if (!value) return value.error();
    if (auto r = write_secret(a.dest + "/" + name, *value); !r) return r.error();
  }
  return {};
}

}  // namespace

int backup(const std::vector<std::string>& args) {
  auto parsed = parse(args);
  if (!parsed) {
    std::fputs("usage: latchkey backup --data DIR --to DEST [--admin-secret S]\n", stderr);
    return 2;
  }
  BackupArgs a = *parsed;
  std::error_code ec;
  a.data_dir = fs::absolute(a.data_dir, ec).lexically_normal().string();
  a.dest = fs::absolute(a.dest, ec).lexically_normal().string();
  if (fs::exists(a.dest) && !fs::is_empty(a.dest, ec)) {
    std::fprintf(stderr, "latchkey: %s exists and is not empty\n", a.dest.c_str());
    return 1;
  }
  bool created = !fs::exists(a.dest);
  fs::create_directories(a.dest, ec);
  if (ec) {
    std::fprintf(stderr, "latchkey: cannot create %s: %s\n", a.dest.c_str(), ec.message().c_str());
    return 1;
  }
  // The copy holds every account and the master key: owner only, like the
  // data dir it came from.
  ::chmod(a.dest.c_str(), 0700);
  std::string db_dest = a.dest + "/db";
  std::optional<Result<void>> online = ask_server(a, db_dest);
  Result<void> made = online ? *online : checkpoint_offline(a, db_dest);
  if (made) made = copy_secrets(a);
  if (!made) {
    // No half-made backup left behind to be mistaken for a good one.
    if (created) fs::remove_all(a.dest, ec);
    else fs::remove_all(db_dest, ec);
    const Error& e = made.error();
    std::fprintf(stderr, "latchkey: backup failed: %s%s\n", e.message.c_str(),
                 e.internal.empty() ? "" : (" (" + e.internal + ")").c_str());
    return 1;
  }
  std::printf("backup of %s written to %s (%s)\n", a.data_dir.c_str(), a.dest.c_str(),
              online ? "from the running server" : "server not running");
  return 0;
}

}  // namespace lk::app
