#include "mail/sender.hpp"

#include "core/clock.hpp"
#include "core/log.hpp"
#include "mail/compose.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <filesystem>

namespace lk::mail {

namespace {
constexpr std::size_t kBatch = 64;
constexpr auto kPollInterval = std::chrono::seconds(5);

// Write to a temp name, fsync, rename: a reader never sees half a message.
bool write_file_durably(const std::filesystem::path& path, const std::string& content) {
  auto tmp = path;
  tmp += ".tmp";
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) return false;
  std::size_t done = 0;
  while (done < content.size()) {
    ssize_t n = ::write(fd, content.data() + done, content.size() - done);
    if (n <= 0) {
      ::close(fd);
      return false;
    }
    done += static_cast<std::size_t>(n);
  }
  bool ok = ::fsync(fd) == 0;
  ok = ::close(fd) == 0 && ok;
  if (!ok) return false;
  std::error_code ec;
  std::filesystem::rename(tmp, path, ec);
  return !ec;
}

// Retry backoff: 30 s, doubling, at most 1 h between tries.
std::int64_t backoff_ms(std::uint32_t attempts) {
  std::int64_t ms = 30'000LL << std::min<std::uint32_t>(attempts, 7);
  return std::min<std::int64_t>(ms, 3'600'000);
}
}  // namespace

struct Sender::Impl {
  net::io_context& io;
  store::Store& store;
  Pool& blocking;
  std::filesystem::path outbox;
  std::string from;
  net::steady_timer timer;
  bool pending = false;  // set by notify(); touched only on the timer's strand

  Impl(net::io_context& io_, store::Store& store_, Pool& blocking_, std::string outbox_, std::string from_)
      : io(io_), store(store_), blocking(blocking_), outbox(std::move(outbox_)), from(std::move(from_)),
        timer(net::make_strand(io_)) {}

  bool deliver(const store::MailRecord& mail) {
    auto name = std::to_string(mail.due_ms) + "-" + to_string(mail.id) + ".eml";
    return write_file_durably(outbox / name, render_rfc5322(mail, from));
  }

  std::size_t drain_once() {
    std::error_code ec;
    std::filesystem::create_directories(outbox, ec);
    auto due = store.due_mail(now_ms(), kBatch);
    if (!due) {
      log::error("mail queue read failed", {{"internal", due.error().internal}});
      return 0;
    }
    std::size_t delivered = 0;
    for (const auto& mail : *due) {
      store::Batch batch;
      batch.delete_mail(mail.due_ms, mail.id);
      if (deliver(mail)) {
        ++delivered;
      } else {
        auto retry = mail;
        retry.attempts += 1;
        retry.due_ms = now_ms() + backoff_ms(mail.attempts);
        batch.put_mail(retry);
        log::warn("mail delivery failed; will retry", {{"mail_id", to_string(mail.id)},
                                                       {"attempts", static_cast<std::int64_t>(retry.attempts)}});
      }
      if (auto r = store.commit(batch); !r) log::error("mail queue update failed", {{"internal", r.error().internal}});
    }
    return delivered;
  }
};

namespace {
awaitable<void> run_sender(std::shared_ptr<Sender::Impl> impl) {
  for (;;) {
    impl->pending = false;
    std::size_t delivered = 0;
    do {
      auto r = co_await run_on(impl->blocking, [impl] { return impl->drain_once(); });
      delivered = r ? *r : 0;
    } while (delivered == kBatch);
    // Mail queued while we were draining: go round again instead of waiting.
    if (impl->pending) continue;
    impl->timer.expires_after(kPollInterval);
    auto [ec] = co_await impl->timer.async_wait(net::as_tuple(net::use_awaitable));
    (void)ec;  // cancelled by notify(): drain now
  }
}
}  // namespace

Sender::Sender(net::io_context& io, store::Store& store, Pool& blocking, std::string outbox_dir, std::string from)
    : impl_(std::make_shared<Impl>(io, store, blocking, std::move(outbox_dir), std::move(from))) {}

Sender::~Sender() = default;

void Sender::start() { net::co_spawn(impl_->timer.get_executor(), run_sender(impl_), net::detached); }

void Sender::notify() {
  net::post(impl_->timer.get_executor(), [impl = impl_] {
    impl->pending = true;
    impl->timer.cancel();
  });
}

std::size_t Sender::drain_once() { return impl_->drain_once(); }

}  // namespace lk::mail
