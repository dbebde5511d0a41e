// Abuse protection policy on top of core/rate_table.hpp: which limits
// exist, how their keys are made, and what a refusal looks like
// (429 RATE_LIMITED with Retry-After in whole seconds).
//
//   per client IP   token buckets keyed by tenant + client + route class:
//                   `api` (100/min) and `auth` (10/min: login, register,
//                   password reset, resend-verification, 2fa/validate)
//   per account     a failure window keyed by tenant + email (login) or
//                   tenant + user (2FA codes): 10 failures in 15 min lock the
//                   account, from any IP, until the window ends
//
// Keys are HMAC-SHA-256 under the table's random salt, so nobody outside
// can aim many keys at one probe window (and the table holds no e-mail
// address or IP in clear).
#pragma once

#include "core/error.hpp"
#include "core/ids.hpp"
#include "core/rate_math.hpp"
#include "core/rate_table.hpp"

#include <atomic>
#include <cstdint>
#include <string_view>

namespace lk::services {

enum class RouteClass : std::uint8_t { api = 1, auth = 2 };

struct RateLimitSettings {
  bool per_ip = true;  // --rate-limit off disables the per-IP buckets only
  std::int64_t api_per_minute = 100;
  std::int64_t auth_per_minute = 10;
  std::int64_t login_failures = 10;
  std::int64_t mfa_failures = 10;
  std::int64_t failure_window_s = 15 * 60;
};

// One counted attempt in a failure window. It counts as a failure from the
// moment it is granted; release() uncounts it once the attempt turned out
// not to be a failure (right password, or no check was made at all).
// Dropping it without release() leaves it counted.
class Attempt {
 public:
  Attempt(RateTable& table, const Hash& key, Window policy, std::int64_t window_start_ms)
      : table_(&table), key_(key), policy_(policy), window_start_ms_(window_start_ms) {}
  Attempt(Attempt&& other) noexcept;
  Attempt& operator=(Attempt&& other) noexcept;
  Attempt(const Attempt&) = delete;
  Attempt& operator=(const Attempt&) = delete;
  ~Attempt() = default;

  // Idempotent; a no-op once the window has been replaced.
  void release(std::int64_t now_ms);

 private:
  RateTable* table_ = nullptr;
  Hash key_{};
  Window policy_;
  std::int64_t window_start_ms_ = 0;
};

class RateLimits {
 public:
  // Registers latchkey_rate_limit_rejections_total{limit="ip"|"login"|"mfa"}.
  RateLimits(RateTable& table, RateLimitSettings settings);

  bool per_ip_enabled() const { return settings_.per_ip; }

  // Takes one request from the bucket of (tenant, client, class); `tenant`
  // is nil for requests that name none. `client` identifies the caller (see
  // http::rate_key: an IPv4 address or an IPv6 /64). RATE_LIMITED with
  // retry_after_s when the bucket is empty. Does not look at per_ip: the
  // caller decides whether per-IP limits apply.
  [[nodiscard]] Result<void> check_ip(const Id& tenant, RouteClass cls, std::string_view client, std::int64_t now_ms);

  // Call BEFORE hashing the password: grants a counted attempt for
  // (tenant, email), or RATE_LIMITED while the account is locked. The check
  // and the count are one atomic step, so N parallel guesses get at most
  // `login_failures` grants. Counts unknown emails too, so a lockout reveals
  // nothing about which emails have accounts.
  [[nodiscard]] Result<Attempt> begin_login(const Id& tenant, std::string_view normalized_email, std::int64_t now_ms);

  // The same for 2FA and backup codes of one user: call before checking the
  // code, release() when it was right.
  [[nodiscard]] Result<Attempt> begin_mfa(const Id& tenant, const Id& user, std::int64_t now_ms);

 private:
  Hash key(std::string_view domain, const Id& tenant, std::string_view subject) const;
  Result<Attempt> begin(const Hash& key, Window policy, std::int64_t now_ms, std::atomic<std::uint64_t>& rejections);
  RateTable& table_;
  RateLimitSettings settings_;
  // Requests refused by each limit (GET /metrics).
  std::atomic<std::uint64_t>& ip_rejections_;
  std::atomic<std::uint64_t>& login_rejections_;
  std::atomic<std::uint64_t>& mfa_rejections_;
};

}  // namespace lk::services
