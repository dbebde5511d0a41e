#include "app/run.hpp"

#include "api/api.hpp"
#include "auth/token_cache.hpp"
#include "api/rate_limit.hpp"
#include "app/backup.hpp"
#include "app/bootstrap.hpp"
#include "app/expiry.hpp"
#include "app/log_flusher.hpp"
#include "app/protection.hpp"
#include "app/purge.hpp"
#include "app/secrets.hpp"
#include "core/clock.hpp"
#include "core/log.hpp"
#include "core/offload.hpp"
#include "core/rate_table.hpp"
#include "crypto/hash.hpp"
#include "crypto/encoding.hpp"
#include "crypto/random.hpp"
#include "http/limits.hpp"
#include "http/server.hpp"
#include "latchkey_version.hpp"
#include "mail/sender.hpp"
#include "services/context.hpp"
#include "services/oauth_http.hpp"
#include "services/rate_limits.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <sys/stat.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <thread>

namespace lk::app {

namespace {

// Until the first hash has been timed, the wait estimate assumes this
// (Argon2id with the OWASP parameters on one core of a current server).
constexpr std::chrono::milliseconds kInitialHashTime{50};
// A hard cap behind the wait bound: queued hashes hold their passwords in
// memory, and a job-time estimate pulled down by short jobs (QR codes) must
// not open the gate wide.
constexpr int kMaxHashJobsPerCore = 64;

int fail(const std::string& message) {
  log::error("startup failed", {{"reason", message}});
  std::fprintf(stderr, "latchkey: %s\n", message.c_str());
  return 1;
}

std::string new_hex_key() {
  std::string raw(32, '\0');
  crypto::random_bytes({reinterpret_cast<std::uint8_t*>(raw.data()), raw.size()});
  return crypto::hex_encode(raw);
}

std::string new_admin_secret() { return crypto::random_token(32); }

// Stops accepting, lets in-flight requests finish (bounded), then stops IO.
awaitable<void> drain_and_stop(net::io_context& io, http::Server& server) {
  server.stop_accepting();
  net::steady_timer timer(co_await net::this_coro::executor);
  auto deadline = std::chrono::steady_clock::now() + http::kDrainTimeout;
  while (server.in_flight() > 0 && std::chrono::steady_clock::now() < deadline) {
    timer.expires_after(std::chrono::milliseconds(5));
    co_await timer.async_wait(net::use_awaitable);
  }
  io.stop();
}

awaitable<Result<void>> start_serving(const Config& config, store::Store& store, services::TenantDirectory& tenants,
                                      http::Server& server, std::string address, std::string admin_secret,
                                      mail::Sender& sender) {
  if (config.dev) {
    // A named argument, not a braced temporary inside co_await: GCC 12
    // destroys such temporaries twice (GCC PR 100611).
    DevInfo info{config.data_dir, "http://" + address, admin_secret};
    auto dev = co_await ensure_dev_tenant(store, tenants, std::move(info));
    if (!dev) co_return dev.error();
  }
  if (config.smtp) {
    // The URL without user, password or query: safe to log.
    log::notice("mail goes to the SMTP server", {{"server", config.smtp->url}});
    if (!config.smtp->user.empty() && !config.smtp->require_tls) {
      log::warn("SMTP credentials without required TLS: an attacker who strips STARTTLS can read them; "
                "use smtps:// or ?starttls=require",
                {{"server", config.smtp->url}});
    }
  } else if (!config.dev) {
    log::warn("no --mail: mail is written to the outbox directory", {{"outbox", config.data_dir + "/outbox"}});
  }
  sender.start();
  server.start();
  log::notice("listening", {{"address", address}});
  co_return Result<void>{};
}

}  // namespace

int serve(const Config& config) {
  log::set_quiet(config.quiet);
  // Buffers the access log while serving; its destructor writes the rest.
  LogFlusher log_flusher;
  log_flusher.start();
  std::error_code fs_ec;
  std::filesystem::create_directories(config.data_dir, fs_ec);
  if (fs_ec) return fail("cannot create data directory " + config.data_dir + ": " + fs_ec.message());
  ::chmod(config.data_dir.c_str(), 0700);

  // The store is opened first: its lock is what keeps a second process away
  // from this data directory, before anything else in it is touched.
  auto opened = store::Store::open({config.data_dir + "/db", config.durability});
  if (!opened) return fail(opened.error().message + (opened.error().internal.empty() ? "" : " (" + opened.error().internal + ")"));
  std::unique_ptr<store::Store> store = std::move(*opened);

  std::string master_hex = config.master_key;
  if (master_hex.empty()) {
    auto key = read_or_create_secret(config.data_dir + "/master.key", new_hex_key);
    if (!key) return fail(key.error().message);
    master_hex = *key;
  }
  auto master = crypto::hex_decode(master_hex);
  if (!master || master->size() != 32) return fail("master key must be 32 bytes in hex");
  if (auto check = verify_master_key(*store, *master); !check) return fail(check.error().message);

  if (!config.oauth_ca_file.empty()) {
    if (auto ca = services::check_ca_file(config.oauth_ca_file); !ca) return fail(ca.error().message);
  }

  std::string admin_secret = config.admin_secret;
  if (admin_secret.empty()) {
    auto secret = read_or_create_secret(config.data_dir + "/admin-secret", new_admin_secret);
    if (!secret) return fail(secret.error().message);
    admin_secret = *secret;
  }

  // Limits live in shared memory: they survive a restart, and processes
  // naming the same table share them.
  auto table = RateTable::open(rate_table_path(config));
  if (!table) return fail(table.error().message);
  services::RateLimits limits(**table, rate_limit_settings(config));

  int cores = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  int io_threads = config.threads > 0 ? config.threads : cores;
  // Hashing is the obvious denial-of-service lever. One thread per core, at
  // lowered priority so a flood of hashes cannot slow the IO threads; a job
  // is admitted while its expected wait in the queue stays under
  // --hash-queue-wait (so a burst of honest logins queues instead of being
  // shed), past that 503 SERVICE_BUSY at once, before any work is done. A
  // queued hash whose client has closed the connection is skipped: nobody
  // would read its answer.
  Pool cpu(PoolOptions{"cpu", cores, cores * kMaxHashJobsPerCore, std::chrono::milliseconds(config.hash_queue_wait_ms),
                       kInitialHashTime, config.hash_priority, /*skips_abandoned=*/true});
  // Request-path store work: refresh rotations, commits that wait for
  // durability. A few threads per core: more only added wake-ups and
  // context switches (tools/bench, 64 refresh chains: 8 threads ~8.9k/s,
  // 4 threads ~10.2k/s on 2 cores).
  Pool blocking("blocking", std::max(4, 2 * cores), 4096);
  // Long background jobs (SMTP delivery, purge, expiry compaction, online
  // backup) have threads of their own, so they never hold the request path's.
  Pool background("background", 4, 1024);

  net::io_context io(io_threads);
  http::Router router;
  http::Server server(io, router, server_options(config));
  std::string host = config.listen_host;
  auto bound = server.listen(host, config.listen_port);
  if (!bound) return fail(bound.error().message);

  std::string outbox = config.data_dir + "/outbox";
  mail::SenderOptions mail_options{outbox, config.mail_from, config.smtp, config.mail_retry_base_s * 1000};
  mail::Sender sender(io, *store, background, std::move(mail_options));
  Purger purger(io, *store, background, config.purge_interval_s, config.purge_after_s);
  services::TenantDirectory tenants(*store, blocking, *master, config.public_url.starts_with("https://"));
  services::Context ctx{
      services::Settings{config.public_url.empty() ? "http://" + *bound : config.public_url, config.access_ttl_s,
                         config.refresh_ttl_s, config.refresh_grace_s, config.dev, {}},
      *store,
      cpu,
      blocking,
      tenants,
      *master,
      crypto::hkdf_sha256(*master, "latchkey", "refresh-successor", 32),
      [&sender] { sender.notify(); }};
  ctx.settings.reset_ttl_s = config.reset_ttl_s;
  ctx.settings.mfa_challenge_ttl_s = config.mfa_challenge_ttl_s;
  ctx.settings.email_change_ttl_s = config.email_change_ttl_s;
  // A restore link must not outlive the account it restores.
  ctx.settings.restore_ttl_s = std::min(config.restore_ttl_s, config.purge_after_s);
  ctx.settings.oauth_timeout_s = config.oauth_timeout_s;
  ctx.settings.oauth_ca_file = config.oauth_ca_file;
  api::Api api{ctx, services::Sessions(ctx), services::Accounts(ctx), admin_secret, now_ms(), LATCHKEY_VERSION};
  api.metrics_enabled = config.metrics;
  api.metrics_token = config.metrics_token;
  api::add_routes(router, api);
  ctx.limits = &limits;
  auth::TokenCache token_cache;
  ctx.token_cache = &token_cache;
  router.use(api::rate_limit_middleware(api));
  ExpiryTask expiry(io, *store, background, std::chrono::seconds(config.expiry_interval_s));
  expiry.start();
  purger.start();
  // `latchkey backup` asks for a checkpoint over DIR/admin.sock. Serving
  // goes on without it (backups then need the server stopped).
  BackupSocket backup_socket(io, *store, background, config.data_dir, admin_secret);
  if (auto r = backup_socket.start(); !r) log::warn("online backup unavailable", {{"reason", r.error().message}});

  net::signal_set signals(io, SIGINT, SIGTERM);
  signals.async_wait([&](const boost::system::error_code& ec, int signo) {
    if (ec) return;
    log::notice("shutting down", {{"signal", static_cast<std::int64_t>(signo)}});
    // An SMTP attempt in flight would otherwise hold the background pool's
    // join for up to its timeout.
    sender.stop();
    purger.stop();
    backup_socket.stop();
    expiry.stop();
    net::co_spawn(io, drain_and_stop(io, server), net::detached);
  });

  int exit_code = 0;
  net::co_spawn(io, start_serving(config, *store, tenants, server, *bound, admin_secret, sender),
                [&](std::exception_ptr e, Result<void> started) {
                  if (e || !started) {
                    std::string why = e ? "exception during startup" : started.error().message + " " + started.error().internal;
                    exit_code = fail(why);
                    io.stop();
                  }
                });

  std::vector<std::thread> threads;
  for (int i = 1; i < io_threads; ++i) threads.emplace_back([&io] { io.run(); });
  io.run();
  for (auto& t : threads) t.join();
  // Pool work finishing now posts its completions into the stopped io
  // context; join before the io context (and its coroutine frames) go.
  cpu.join();
  blocking.join();
  background.join();
  // Completes the last durability waits while the io context still exists,
  // and flushes the memtables so that the next start replays no WAL.
  store->shutdown();
  log::notice("stopped", {});
  return exit_code;
}

}  // namespace lk::app
