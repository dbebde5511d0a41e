#include "app/config.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cstdlib>
#include <functional>
#include <map>
#include <optional>

namespace lk::app {

namespace {

Error bad_flag(std::string_view flag, std::string_view why) {
  return make_error(Errc::validation_error, "--" + std::string(flag) + ": " + std::string(why));
}

std::optional<std::int64_t> to_int(std::string_view text) {
  std::int64_t value = 0;
  auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc{} || ptr != text.data() + text.size()) return std::nullopt;
  return value;
}

Result<void> set_seconds(std::int64_t& out, std::string_view flag, std::string_view value, std::int64_t min,
                         std::int64_t max) {
  auto v = to_int(value);
  if (!v || *v < min || *v > max) {
    return bad_flag(flag, "expected whole seconds from " + std::to_string(min) + " to " + std::to_string(max));
  }
  out = *v;
  return {};
}

Result<void> set_count(std::int64_t& out, std::string_view flag, std::string_view value, std::int64_t min,
                       std::int64_t max) {
  auto v = to_int(value);
  if (!v || *v < min || *v > max) {
    return bad_flag(flag, "expected a whole number from " + std::to_string(min) + " to " + std::to_string(max));
  }
  out = *v;
  return {};
}

Result<void> set_listen(Config& c, std::string_view value) {
  std::size_t colon = value.rfind(':');
  if (colon == std::string_view::npos) return bad_flag("listen", "expected HOST:PORT");
  std::string host(value.substr(0, colon));
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
  auto port = to_int(value.substr(colon + 1));
  if (host.empty() || !port || *port < 0 || *port > 65535) return bad_flag("listen", "expected HOST:PORT");
  c.listen_host = host;
  c.listen_port = static_cast<unsigned short>(*port);
  return {};
}

using Setter = std::function<Result<void>(Config&, std::string_view)>;

const std::map<std::string, Setter, std::less<>>& value_flags() {
  static const std::map<std::string, Setter, std::less<>> flags{
      {"data", [](Config& c, std::string_view v) -> Result<void> { c.data_dir = v; return {}; }},
      {"listen", set_listen},
      {"admin-secret",
       [](Config& c, std::string_view v) -> Result<void> {
         if (v.size() < 16) return bad_flag("admin-secret", "must be at least 16 characters");
         c.admin_secret = v;
         return {};
       }},
      {"master-key",
       [](Config& c, std::string_view v) -> Result<void> {
         bool hex = v.size() == 64 && std::all_of(v.begin(), v.end(), [](char ch) {
           return std::isxdigit(static_cast<unsigned char>(ch)) != 0;
         });
         if (!hex) return bad_flag("master-key", "expected 64 hex characters (32 bytes)");
         c.master_key = v;
         return {};
       }},
      {"metrics",
       [](Config& c, std::string_view v) -> Result<void> {
         if (v != "on" && v != "off") return bad_flag("metrics", "expected on or off");
         c.metrics = v == "on";
         return {};
       }},
      {"metrics-token",
       [](Config& c, std::string_view v) -> Result<void> {
         if (v.size() < 16) return bad_flag("metrics-token", "must be at least 16 characters");
         c.metrics_token = v;
         return {};
       }},
      {"public-url", [](Config& c, std::string_view v) -> Result<void> { c.public_url = v; return {}; }},
      {"mail-from", [](Config& c, std::string_view v) -> Result<void> { c.mail_from = v; return {}; }},
      {"mail",
       [](Config& c, std::string_view v) -> Result<void> {
         // The error names the flag but never repeats the value: it may
         // hold a password.
         auto target = mail::parse_smtp_url(v);
         if (!target) return target.error();
         c.smtp = std::move(*target);
         return {};
       }},
      {"mail-retry-base",
       [](Config& c, std::string_view v) { return set_seconds(c.mail_retry_base_s, "mail-retry-base", v, 1, 3600); }},
      {"purge-interval",
       [](Config& c, std::string_view v) { return set_seconds(c.purge_interval_s, "purge-interval", v, 1, 604800); }},
      {"purge-after",
       [](Config& c, std::string_view v) { return set_seconds(c.purge_after_s, "purge-after", v, 1, 315360000); }},
      {"mfa-challenge-ttl",
       [](Config& c, std::string_view v) {
         return set_seconds(c.mfa_challenge_ttl_s, "mfa-challenge-ttl", v, 1, 3600);
       }},
      {"reset-ttl", [](Config& c, std::string_view v) { return set_seconds(c.reset_ttl_s, "reset-ttl", v, 1, 86400); }},
      {"email-change-ttl",
       [](Config& c, std::string_view v) {
         return set_seconds(c.email_change_ttl_s, "email-change-ttl", v, 1, 2592000);
       }},
      {"restore-ttl",
       [](Config& c, std::string_view v) { return set_seconds(c.restore_ttl_s, "restore-ttl", v, 1, 31536000); }},
      {"threads",
       [](Config& c, std::string_view v) -> Result<void> {
         auto n = to_int(v);
         if (!n || *n < 1 || *n > 256) return bad_flag("threads", "expected 1..256");
         c.threads = static_cast<int>(*n);
         return {};
       }},
      {"hash-queue-wait",
       [](Config& c, std::string_view v) -> Result<void> {
         auto n = to_int(v);
         if (!n || *n < 1 || *n > 60000) return bad_flag("hash-queue-wait", "expected milliseconds from 1 to 60000");
         c.hash_queue_wait_ms = *n;
         return {};
       }},
      {"hash-priority",
       [](Config& c, std::string_view v) -> Result<void> {
         auto p = parse_thread_priority(v);
         if (!p) return bad_flag("hash-priority", "expected normal, low or idle");
         c.hash_priority = *p;
         return {};
       }},
      {"access-ttl", [](Config& c, std::string_view v) { return set_seconds(c.access_ttl_s, "access-ttl", v, 1, 86400); }},
      {"refresh-ttl",
       [](Config& c, std::string_view v) { return set_seconds(c.refresh_ttl_s, "refresh-ttl", v, 60, 31536000); }},
      {"refresh-reuse-grace",
       [](Config& c, std::string_view v) { return set_seconds(c.refresh_grace_s, "refresh-reuse-grace", v, 0, 300); }},
      {"durability",
       [](Config& c, std::string_view v) -> Result<void> {
         if (v == "strict") c.durability = store::Durability::strict;
         else if (v == "relaxed") c.durability = store::Durability::relaxed;
         else return bad_flag("durability", "expected strict or relaxed");
         return {};
       }},
      {"rate-limit",
       [](Config& c, std::string_view v) -> Result<void> {
         if (v != "on" && v != "off") return bad_flag("rate-limit", "expected on or off");
         c.rate_limit = v == "on";
         return {};
       }},
      {"rate-limit-api",
       [](Config& c, std::string_view v) { return set_count(c.rate_limit_api, "rate-limit-api", v, 1, 1'000'000); }},
      {"rate-limit-auth",
       [](Config& c, std::string_view v) { return set_count(c.rate_limit_auth, "rate-limit-auth", v, 1, 1'000'000); }},
      {"rate-limit-table",
       [](Config& c, std::string_view v) -> Result<void> {
         if (v.empty()) return bad_flag("rate-limit-table", "expected a file path");
         c.rate_limit_table = v;
         return {};
       }},
      {"trusted-proxies",
       [](Config& c, std::string_view v) -> Result<void> {
         auto list = http::parse_cidr_list(v);
         if (!list) return bad_flag("trusted-proxies", "expected comma-separated addresses or CIDRs");
         c.trusted_proxies = std::move(*list);
         return {};
       }},
      {"header-timeout",
       [](Config& c, std::string_view v) { return set_seconds(c.header_timeout_s, "header-timeout", v, 1, 300); }},
      {"max-connections",
       [](Config& c, std::string_view v) { return set_count(c.max_connections, "max-connections", v, 1, 1'000'000); }},
      {"shed-pause",
       [](Config& c, std::string_view v) { return set_count(c.shed_pause_ms, "shed-pause", v, 0, 10'000); }},
      {"expiry-interval",
       [](Config& c, std::string_view v) { return set_seconds(c.expiry_interval_s, "expiry-interval", v, 1, 604800); }},
      {"oauth-timeout",
       [](Config& c, std::string_view v) { return set_seconds(c.oauth_timeout_s, "oauth-timeout", v, 1, 120); }},
      {"oauth-ca-file",
       [](Config& c, std::string_view v) -> Result<void> {
         if (v.empty()) return bad_flag("oauth-ca-file", "expected a file path");
         c.oauth_ca_file = v;
         return {};
       }},
  };
  return flags;
}

bool truthy(std::string_view v) { return v == "1" || v == "true" || v == "yes" || v == "on"; }

std::string env_name(std::string_view flag) {
  std::string name = "LATCHKEY_";
  for (char c : flag) name.push_back(c == '-' ? '_' : static_cast<char>(std::toupper(static_cast<unsigned char>(c))));
  return name;
}

}  // namespace

Result<Config> parse_serve_args(const std::vector<std::string>& args) {
  Config config;
  // Environment first, so that flags override it.
  for (const auto& [flag, setter] : value_flags()) {
    if (const char* v = std::getenv(env_name(flag).c_str()); v && *v) {
      if (auto r = setter(config, v); !r) return r.error();
    }
  }
  for (std::string_view flag : {"dev", "quiet"}) {
    if (const char* v = std::getenv(env_name(flag).c_str()); v && truthy(v)) {
      (flag == "dev" ? config.dev : config.quiet) = true;
    }
  }
  for (std::size_t i = 0; i < args.size(); ++i) {
    std::string_view arg = args[i];
    if (!arg.starts_with("--")) return make_error(Errc::validation_error, "unexpected argument: " + std::string(arg));
    std::string_view name = arg.substr(2);
    std::optional<std::string_view> value;
    if (auto eq = name.find('='); eq != std::string_view::npos) {
      value = name.substr(eq + 1);
      name = name.substr(0, eq);
    }
    if (name == "dev" || name == "quiet") {
      bool on = value ? truthy(*value) : true;
      (name == "dev" ? config.dev : config.quiet) = on;
      continue;
    }
    auto it = value_flags().find(name);
    if (it == value_flags().end()) return make_error(Errc::validation_error, "unknown flag: --" + std::string(name));
    if (!value) {
      if (i + 1 >= args.size()) return bad_flag(name, "needs a value");
      value = args[++i];
    }
    if (auto r = it->second(config, *value); !r) return r.error();
  }
  return config;
}

std::string usage() {
  return R"(latchkey - a self-hosted, multi-tenant identity server

Usage:
  latchkey serve [flags]     run the server
  latchkey backup --data DIR --to DEST [--admin-secret S]
                             consistent copy of DIR (also while serving)
  latchkey version           print the version
  latchkey --help            this text

Flags of serve (each also read from LATCHKEY_<NAME>, e.g. LATCHKEY_DATA):
  --data DIR                    data directory (default ./latchkey-data)
  --listen HOST:PORT            address to listen on (default 127.0.0.1:3002; port 0 picks one)
  --admin-secret S              secret for tenant administration (default: generated into DIR/admin-secret)
  --master-key HEX              32-byte key (64 hex) sealing secrets at rest (default: DIR/master.key)
  --public-url URL              public base URL; the JWT issuer (default http://HOST:PORT)
  --dev                         development mode: a "dev" tenant, mail written to DIR/outbox/
  --threads N                   IO threads (default: one per core)
  --hash-queue-wait MS          admit a password hash while its expected wait in the queue stays
                                under MS; past it, 503 with Retry-After (default 2000)
  --hash-priority normal|low|idle
                                CPU priority of the hashing threads (default low: nice 19)
  --access-ttl SECONDS          access token lifetime (default 900)
  --refresh-ttl SECONDS         refresh family absolute lifetime (default 604800)
  --refresh-reuse-grace SECONDS grace for a concurrent refresh replay (default 10)
  --durability strict|relaxed   strict: WAL synced before a write is acknowledged (default strict)
  --mail URL                    SMTP server: smtp://[user:pass@]host[:port] (STARTTLS when offered;
                                add ?starttls=require to insist) or smtps://... (implicit TLS).
                                Without it, mail is written to DIR/outbox/
  --mail-from ADDRESS           From: of outgoing mail
  --mail-retry-base SECONDS     first retry after a failed delivery; doubles up to 1 h, for 7 days (default 30)
  --reset-ttl SECONDS           password reset link lifetime (default 1800)
  --email-change-ttl SECONDS    email change link lifetime (default 86400)
  --restore-ttl SECONDS         account restore link lifetime, capped at --purge-after (default 2592000)
  --purge-after SECONDS         erase a deleted account this long after deletion (default 2592000, 30 days)
  --purge-interval SECONDS      how often the purge runs (default 3600)
  --mfa-challenge-ttl SECONDS   lifetime of the 2FA login challenge (default 300)
  --quiet                       no per-request log lines
  --metrics on|off              Prometheus text on GET /metrics (default on)
  --metrics-token T             require "Authorization: Bearer T" on /metrics
  --rate-limit on|off           per-client-IP limits (default on; off for benchmarks). Account lockout
                                (10 failed logins in 15 min) stays on either way
  --rate-limit-api N            requests per minute per client IP and tenant (default 100)
  --rate-limit-auth N           the same for login, register, password reset, 2FA (default 10)
  --rate-limit-table PATH       shared-memory table of limits (default /dev/shm/latchkey-<hash of DIR>);
                                processes naming the same file share limits
  --trusted-proxies CIDR,...    proxies whose X-Forwarded-For is believed (default none: header ignored)
  --header-timeout SECONDS      time allowed to send a request's headers (default 10)
  --max-connections N           open connections; past it, 503 and close (default 10000)
  --shed-pause MS               a shed request's 503 (with Retry-After) is sent after MS, so a client
                                that resends at once cannot spin on it (default 250; 0: at once)
  --expiry-interval SECONDS     how often expired tokens are compacted away (default 3600)
  --oauth-timeout SECONDS       connect/read/write timeout of calls to OAuth providers (default 10)
  --oauth-ca-file PATH          PEM CA bundle trusted for OAuth providers, on top of the system's
)";
}

}  // namespace lk::app
