#include "app/purge.hpp"

#include "core/clock.hpp"
#include "core/log.hpp"
#include "services/purge.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <algorithm>
#include <atomic>
#include <chrono>

namespace lk::app {

struct Purger::Impl {
  store::Store& store;
  Pool& blocking;
  std::int64_t interval_s;
  std::int64_t after_s;
  net::steady_timer timer;
  std::atomic<bool> stopping{false};

  Impl(net::io_context& io, store::Store& store_, Pool& blocking_, std::int64_t interval, std::int64_t after)
      : store(store_), blocking(blocking_), interval_s(interval), after_s(after), timer(net::make_strand(io)) {}
};

namespace {
awaitable<void> run_purger(std::shared_ptr<Purger::Impl> impl) {
  // The first pass waits too (at most a minute): a pass reads every user
  // record, which at a million users would compete with the start itself.
  impl->timer.expires_after(std::chrono::seconds(std::min<std::int64_t>(impl->interval_s, 60)));
  auto [first_ec] = co_await impl->timer.async_wait(net::as_tuple(net::use_awaitable));
  if (first_ec || impl->stopping) co_return;  // cancelled by stop()
  while (!impl->stopping) {
    std::int64_t cutoff = now_ms() - impl->after_s * 1000;
    auto r = co_await run_on(impl->blocking,
                             [impl, cutoff] { return services::purge_deleted_accounts(impl->store, cutoff); });
    if (!r) {
      // A failed pass is retried at the next interval; nothing is half done
      // (each account is erased in one batch).
      log::error("purge failed", {{"internal", r.error().internal}, {"message", r.error().message}});
    } else if (*r > 0) {
      log::notice("purged deleted accounts", {{"count", static_cast<std::int64_t>(*r)}});
    }
    if (impl->stopping) co_return;
    impl->timer.expires_after(std::chrono::seconds(impl->interval_s));
    auto [ec] = co_await impl->timer.async_wait(net::as_tuple(net::use_awaitable));
    (void)ec;  // cancelled by stop()
  }
}
}  // namespace

Purger::Purger(net::io_context& io, store::Store& store, Pool& blocking, std::int64_t interval_s, std::int64_t after_s)
    : impl_(std::make_shared<Impl>(io, store, blocking, interval_s, after_s)) {}

Purger::~Purger() = default;

void Purger::start() { net::co_spawn(impl_->timer.get_executor(), run_purger(impl_), net::detached); }

void Purger::stop() {
  impl_->stopping = true;
  net::post(impl_->timer.get_executor(), [impl = impl_] { impl->timer.cancel(); });
}

}  // namespace lk::app
