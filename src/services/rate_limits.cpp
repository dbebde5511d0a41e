#include "services/rate_limits.hpp"

#include "core/metrics.hpp"
#include "crypto/hash.hpp"

#include <string>
#include <utility>

namespace lk::services {

namespace {

constexpr std::int64_t kMinuteMs = 60'000;

Error rate_limited(std::string message, std::int64_t retry_after_ms) {
  Error e = make_error(Errc::rate_limited, std::move(message));
  e.retry_after_s = static_cast<int>(retry_after_seconds(retry_after_ms));
  return e;
}

std::atomic<std::uint64_t>& rejections(std::string_view limit) {
  return metrics::counter("latchkey_rate_limit_rejections_total{limit=\"" + std::string(limit) + "\"}",
                          "Requests refused with 429 by each rate limit (per client IP, per account login, "
                          "per account 2FA).");
}

}  // namespace

RateLimits::RateLimits(RateTable& table, RateLimitSettings settings)
    : table_(table),
      settings_(settings),
      ip_rejections_(rejections("ip")),
      login_rejections_(rejections("login")),
      mfa_rejections_(rejections("mfa")) {}

Attempt::Attempt(Attempt&& other) noexcept
    : table_(std::exchange(other.table_, nullptr)),
      key_(other.key_),
      policy_(other.policy_),
      window_start_ms_(other.window_start_ms_) {}

Attempt& Attempt::operator=(Attempt&& other) noexcept {
  table_ = std::exchange(other.table_, nullptr);
  key_ = other.key_;
  policy_ = other.policy_;
  window_start_ms_ = other.window_start_ms_;
  return *this;
}

void Attempt::release(std::int64_t now_ms) {
  if (!table_) return;
  RateTable* table = std::exchange(table_, nullptr);
  const Window policy = policy_;
  const std::int64_t start = window_start_ms_;
  // create=false: an evicted or expired entry has nothing left to uncount.
  table->update(
      key_, now_ms,
      [&](RateState& state, bool fresh) {
        if (!fresh) policy.release(state, start);
        return RateDecision{true, 0, policy.idle_at(state)};
      },
      false);
}

Hash RateLimits::key(std::string_view domain, const Id& tenant, std::string_view subject) const {
  // Fixed-width fields first and the one variable field last, after a
  // separator the domain never contains: no two inputs share a digest input.
  std::string material(domain);
  material.push_back('\0');
  material.append(as_view(tenant));
  material.append(subject);
  return crypto::hmac_sha256(table_.key_salt(), material);
}

Result<void> RateLimits::check_ip(const Id& tenant, RouteClass cls, std::string_view client, std::int64_t now_ms) {
  const Bucket bucket{cls == RouteClass::auth ? settings_.auth_per_minute : settings_.api_per_minute, kMinuteMs};
  std::string subject(1, static_cast<char>(cls));
  subject.append(client);
  RateDecision d = table_.update(key("ip", tenant, subject), now_ms, [&](RateState& state, bool fresh) {
    if (fresh) state = bucket.fresh(now_ms);
    return bucket.take(state, now_ms);
  });
  if (d.allowed) return {};
  ip_rejections_.fetch_add(1, std::memory_order_relaxed);
  return rate_limited("Too many requests, please retry later", d.retry_after_ms);
}

Result<Attempt> RateLimits::begin(const Hash& key, Window policy, std::int64_t now_ms,
                                  std::atomic<std::uint64_t>& rejections) {
  std::int64_t window_start = 0;
  RateDecision d = table_.update(key, now_ms, [&](RateState& state, bool fresh) {
    if (fresh) state = policy.fresh(now_ms);
    RateDecision r = policy.reserve(state, now_ms);
    window_start = state.stamp_ms;
    return r;
  });
  // One message for a locked account whether or not it exists.
  if (!d.allowed) {
    rejections.fetch_add(1, std::memory_order_relaxed);
    return rate_limited("Too many failed attempts, please retry later", d.retry_after_ms);
  }
  return Attempt(table_, key, policy, window_start);
}

Result<Attempt> RateLimits::begin_login(const Id& tenant, std::string_view normalized_email, std::int64_t now_ms) {
  return begin(key("login", tenant, normalized_email),
               Window{settings_.login_failures, settings_.failure_window_s * 1000}, now_ms, login_rejections_);
}

Result<Attempt> RateLimits::begin_mfa(const Id& tenant, const Id& user, std::int64_t now_ms) {
  return begin(key("mfa", tenant, as_view(user)), Window{settings_.mfa_failures, settings_.failure_window_s * 1000},
               now_ms, mfa_rejections_);
}

}  // namespace lk::services
