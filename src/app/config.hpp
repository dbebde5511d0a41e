// Command line and environment for `latchkey serve`.
//
// Every flag --name also reads LATCHKEY_NAME (upper-case, '-' -> '_'); the
// flag wins over the environment.
#pragma once

#include "core/error.hpp"
#include "core/thread_priority.hpp"
#include "http/client_ip.hpp"
#include "mail/smtp.hpp"
#include "store/store.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace lk::app {

struct Config {
  std::string data_dir = "./latchkey-data";
  std::string listen_host = "127.0.0.1";
  unsigned short listen_port = 3002;
  std::string admin_secret;  // empty: generated into DIR/admin-secret
  std::string master_key;    // hex; empty: DIR/master.key
  std::string public_url;    // empty: http://<listen>
  bool dev = false;
  int threads = 0;  // 0: one per core
  std::int64_t access_ttl_s = 900;
  std::int64_t refresh_ttl_s = 604800;
  std::int64_t refresh_grace_s = 10;
  store::Durability durability = store::Durability::strict;
  std::string mail_from = "Latchkey <no-reply@localhost>";
  // --mail: the SMTP server; without it mail goes to DIR/outbox/. Holds the
  // credentials: never log it (SmtpTarget::url is the loggable part).
  std::optional<mail::SmtpTarget> smtp;
  std::int64_t mail_retry_base_s = 30;
  std::int64_t purge_interval_s = 3600;
  std::int64_t purge_after_s = 2592000;  // 30 days
  std::int64_t reset_ttl_s = 1800;
  std::int64_t mfa_challenge_ttl_s = 300;
  std::int64_t email_change_ttl_s = 86400;
  std::int64_t restore_ttl_s = 2592000;
  bool quiet = false;
  bool metrics = true;        // GET /metrics
  std::string metrics_token;  // when set, /metrics needs "Authorization: Bearer <token>"
  // Abuse protection (services/rate_limits.hpp, http/client_ip.hpp).
  bool rate_limit = true;             // off: no per-IP limits (account lockout stays)
  std::int64_t rate_limit_api = 100;  // requests per minute per client IP and tenant
  std::int64_t rate_limit_auth = 10;  // the same for login, register, password reset...
  std::string rate_limit_table;       // empty: /dev/shm/latchkey-<hash of the data dir>
  std::vector<http::Cidr> trusted_proxies;
  std::int64_t header_timeout_s = 10;
  std::int64_t max_connections = 10000;
  // A 503 with Retry-After (a request the server shed) is sent after this
  // pause; 0 sends it at once.
  std::int64_t shed_pause_ms = 250;
  std::int64_t expiry_interval_s = 3600;
  // Outbound OAuth HTTP: per-phase timeout, and extra trusted CAs (PEM).
  std::int64_t oauth_timeout_s = 10;
  std::string oauth_ca_file;
  // Password hashing pool (core/offload.hpp): a job is admitted while its
  // expected queueing delay stays within this bound; its threads run at
  // this priority.
  std::int64_t hash_queue_wait_ms = 2000;
  ThreadPriority hash_priority = ThreadPriority::low;
};

// Parses the arguments after "serve". Errors name the flag.
[[nodiscard]] Result<Config> parse_serve_args(const std::vector<std::string>& args);

// The text of `latchkey --help`.
std::string usage();

}  // namespace lk::app
