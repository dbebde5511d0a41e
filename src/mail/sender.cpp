#include "mail/sender.hpp"

#include "core/clock.hpp"
#include "core/log.hpp"
#include "core/metrics.hpp"
#include "mail/compose.hpp"
#include "mail/retry.hpp"

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
#include <atomic>
#include <chrono>
#include <climits>
#include <filesystem>
#include <mutex>

namespace lk::mail {

namespace {
constexpr std::size_t kBatch = 64;
constexpr std::int64_t kPollIntervalMs = 5'000;

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

// One drain pass: what it did, and when the coroutine should look again.
struct Pass {
  std::size_t delivered = 0;
  std::size_t processed = 0;
  bool paused = false;
  std::int64_t wait_ms = kPollIntervalMs;
};
}  // namespace

struct Sender::Impl {
  net::io_context& io;
  store::Store& store;
  Pool& blocking;
  SenderOptions options;
  std::string envelope_from;
  std::optional<SmtpClient> smtp;
  net::steady_timer timer;
  bool pending = false;  // set by notify(); touched only on the timer's strand
  std::atomic<bool> stopping{false};
  // Touched only by drain passes, which drain_mutex keeps one at a time.
  std::mutex drain_mutex;
  std::int64_t paused_until_ms = 0;
  std::uint32_t down_streak = 0;
  // Registered with the sender, so that /metrics shows 0 before any failure.
  std::atomic<std::uint64_t>& failures =
      metrics::counter("latchkey_mail_failures_total", "Failed mail delivery attempts.");

  Impl(net::io_context& io_, store::Store& store_, Pool& blocking_, SenderOptions options_)
      : io(io_),
        store(store_),
        blocking(blocking_),
        options(std::move(options_)),
        envelope_from(envelope_address(options.from)),
        timer(net::make_strand(io_)) {
    if (options.smtp) smtp.emplace(*options.smtp);
  }

  Delivery deliver(const store::MailRecord& mail) {
    std::string message = render_rfc5322(mail, options.from);
    if (smtp) return smtp->send(envelope_from, mail.to, message, stopping);
    auto dir = std::filesystem::path(options.outbox_dir);
    std::error_code ec;
    std::filesystem::create_directories(dir, ec);
    auto name = std::to_string(mail.due_ms) + "-" + to_string(mail.id) + ".eml";
    if (write_file_durably(dir / name, message)) return Delivery{Outcome::delivered, false, 0, {}};
    // A full or read-only disk fails every message alike.
    return Delivery{Outcome::retry, true, 0, "cannot write to the outbox directory"};
  }

  // Queue bookkeeping for one attempt, committed in one batch: delivered and
  // refused messages leave the queue; others are queued again, later.
  void settle(const store::MailRecord& mail, const Delivery& d) {
    store::Batch batch;
    batch.delete_mail(mail.due_ms, mail.id);
    std::string id = to_string(mail.id);
    std::int64_t now = now_ms();
    if (d.outcome != Outcome::delivered) failures.fetch_add(1, std::memory_order_relaxed);
    if (d.outcome == Outcome::rejected) {
      log::error("mail refused by the server; dropped",
                 {{"mail_id", id}, {"smtp_code", static_cast<std::int64_t>(d.smtp_code)}, {"detail", d.detail}});
    } else if (d.outcome == Outcome::retry && now - queued_at_ms(mail.id) >= kGiveUpAfterMs) {
      log::error("mail undeliverable for 7 days; dropped", {{"mail_id", id},
                                                            {"attempts", static_cast<std::int64_t>(mail.attempts + 1)},
                                                            {"smtp_code", static_cast<std::int64_t>(d.smtp_code)},
                                                            {"detail", d.detail}});
    } else if (d.outcome == Outcome::retry) {
      auto retry = mail;
      retry.attempts += 1;
      std::int64_t delay = retry_delay_ms(mail.attempts, options.retry_base_ms);
      retry.due_ms = now + delay;
      batch.put_mail(retry);
      log::warn("mail delivery failed; will retry", {{"mail_id", id},
                                                     {"attempts", static_cast<std::int64_t>(retry.attempts)},
                                                     {"retry_in_ms", delay},
                                                     {"smtp_code", static_cast<std::int64_t>(d.smtp_code)},
                                                     {"detail", d.detail}});
    }
    if (auto r = store.commit(batch); !r) log::error("mail queue update failed", {{"internal", r.error().internal}});
  }

  Pass drain_pass() {
    std::lock_guard<std::mutex> guard(drain_mutex);
    Pass pass;
    if (now_ms() < paused_until_ms) {
      pass.paused = true;
    } else if (auto due = store.due_mail(now_ms(), kBatch); !due) {
      log::error("mail queue read failed", {{"internal", due.error().internal}});
    } else {
      for (const auto& mail : *due) {
        if (stopping) break;
        Delivery d = deliver(mail);
        // Interrupted by shutdown: leave the message as it was queued.
        if (stopping && d.outcome != Outcome::delivered) break;
        ++pass.processed;
        if (d.outcome == Outcome::delivered) {
          ++pass.delivered;
          down_streak = 0;
        }
        settle(mail, d);
        if (d.outcome == Outcome::retry && d.server_down) {
          paused_until_ms = now_ms() + retry_delay_ms(down_streak++, options.retry_base_ms);
          pass.paused = true;
          break;
        }
      }
    }
    // Sleep until the earliest queued message is due (or the pause ends),
    // but never longer than the poll interval.
    std::int64_t now = now_ms();
    std::int64_t wake = now + kPollIntervalMs;
    if (auto next = store.due_mail(INT64_MAX, 1); next && !next->empty()) {
      wake = std::min(wake, std::max(next->front().due_ms, paused_until_ms));
    }
    pass.wait_ms = std::max<std::int64_t>(0, wake - now);
    return pass;
  }
};

namespace {
awaitable<void> run_sender(std::shared_ptr<Sender::Impl> impl) {
  for (;;) {
    impl->pending = false;
    Pass pass;
    do {
      auto r = co_await run_on(impl->blocking, [impl] { return impl->drain_pass(); });
      pass = r ? *r : Pass{};  // a saturated pool: try again after the poll interval
    } while (pass.processed == kBatch && !pass.paused && !impl->stopping);
    if (impl->stopping) co_return;
    // Mail queued while we were draining: go round again instead of waiting.
    if (impl->pending) continue;
    impl->timer.expires_after(std::chrono::milliseconds(pass.wait_ms));
    auto [ec] = co_await impl->timer.async_wait(net::as_tuple(net::use_awaitable));
    (void)ec;  // cancelled by notify() or stop()
    if (impl->stopping) co_return;
  }
}
}  // namespace

Sender::Sender(net::io_context& io, store::Store& store, Pool& blocking, SenderOptions options)
    : impl_(std::make_shared<Impl>(io, store, blocking, std::move(options))) {}

Sender::~Sender() = default;

void Sender::start() { net::co_spawn(impl_->timer.get_executor(), run_sender(impl_), net::detached); }

void Sender::notify() {
  net::post(impl_->timer.get_executor(), [impl = impl_] {
    impl->pending = true;
    impl->timer.cancel();
  });
}

void Sender::stop() {
  impl_->stopping = true;
  net::post(impl_->timer.get_executor(), [impl = impl_] { impl->timer.cancel(); });
}

std::size_t Sender::drain_once() { return impl_->drain_pass().delivered; }

}  // namespace lk::mail
