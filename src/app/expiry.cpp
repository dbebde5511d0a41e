#include "app/expiry.hpp"

#include "core/log.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/use_awaitable.hpp>

namespace lk::app {

struct ExpiryTask::Impl {
  store::Store& store;
  Pool& blocking;
  std::chrono::seconds interval;
  net::steady_timer timer;
  bool stopped = false;  // touched only on the timer's strand

  Impl(net::io_context& io, store::Store& store_, Pool& blocking_, std::chrono::seconds interval_)
      : store(store_), blocking(blocking_), interval(interval_), timer(net::make_strand(io)) {}
};

namespace {

awaitable<void> run_expiry(std::shared_ptr<ExpiryTask::Impl> impl) {
  while (!impl->stopped) {
    impl->timer.expires_after(impl->interval);
    auto [ec] = co_await impl->timer.async_wait(net::as_tuple(net::use_awaitable));
    if (ec || impl->stopped) co_return;
    auto started = std::chrono::steady_clock::now();
    // On the blocking pool: a compaction rewrites files and may take a while.
    // A saturated pool (503) or a store error is logged; the next round
    // tries again, since nothing depends on this run.
    auto r = co_await run_on(impl->blocking, [impl] { return impl->store.compact_expired(); });
    auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - started);
    if (r) {
      log::info("expired tokens compacted", {{"ms", static_cast<std::int64_t>(ms.count())}});
    } else {
      log::warn("expiry compaction failed", {{"error", r.error().message}, {"internal", r.error().internal}});
    }
  }
}

}  // namespace

ExpiryTask::ExpiryTask(net::io_context& io, store::Store& store, Pool& blocking, std::chrono::seconds interval)
    : impl_(std::make_shared<Impl>(io, store, blocking, interval)) {}

ExpiryTask::~ExpiryTask() = default;

void ExpiryTask::start() { net::co_spawn(impl_->timer.get_executor(), run_expiry(impl_), net::detached); }

void ExpiryTask::stop() {
  net::post(impl_->timer.get_executor(), [impl = impl_] {
    impl->stopped = true;
    impl->timer.cancel();
  });
}

}  // namespace lk::app
