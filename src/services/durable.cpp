#include "services/durable.hpp"

#include "store/store.hpp"

#include <boost/asio/async_result.hpp>
#include <boost/asio/execution/outstanding_work.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/prefer.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <memory>
#include <utility>

namespace lk::services {

namespace {

// Starts the wait. The completion may come on the commit thread: it only
// posts the handler to the coroutine's executor, which counts as
// outstanding work meanwhile (io_context::run does not return under it).
struct InitiateWait {
  template <class Handler>
  void operator()(Handler handler, store::Store* store, std::uint64_t ticket) const {
    auto executor = net::prefer(net::get_associated_executor(handler), net::execution::outstanding_work.tracked);
    // std::function needs a copyable callable; the handler is move-only.
    auto shared = std::make_shared<Handler>(std::move(handler));
    store->when_durable(ticket, [shared, executor](Result<void> r) {
      net::post(executor, [shared, r = std::move(r)]() mutable { std::move(*shared)(std::move(r)); });
    });
  }
};

}  // namespace

awaitable<Result<void>> wait_durable(store::Store& store, std::uint64_t ticket) {
  if (store.is_durable(ticket)) co_return Result<void>{};
  co_return co_await net::async_initiate<const net::use_awaitable_t<>&, void(Result<void>)>(InitiateWait{}, net::use_awaitable,
                                                                                       &store, ticket);
}

}  // namespace lk::services
