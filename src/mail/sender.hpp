// The background mail sender: drains the durable mail_queue.
//
// A message is deleted from the queue only after it was delivered: accepted
// by the SMTP server (--mail), or, without one, written and fsync'd as
// DIR/outbox/<due>-<id>.eml. A crash at any point loses nothing; at worst a
// message is delivered twice.
//
// Failures: a permanent refusal (SMTP 5xx for this message) is logged with
// the mail id and code and dropped. Anything else is retried, first after
// retry_base, doubling up to an hour between attempts, for 7 days from when
// the message was queued (mail/retry.hpp); then it is logged and dropped.
// While the server is unreachable the sender pauses (same backoff) instead of
// failing every queued message in turn. Logs never hold an address, a body
// or a credential.
#pragma once

#include "core/net.hpp"
#include "core/offload.hpp"
#include "mail/smtp.hpp"
#include "store/store.hpp"

#include <cstdint>
#include <memory>
#include <optional>
#include <string>

namespace boost::asio { class io_context; }

namespace lk::mail {

struct SenderOptions {
  std::string outbox_dir;          // used when smtp is not set
  // The From: header of mail whose tenant has no sender of its own. Its
  // address is the envelope sender (MAIL FROM, where bounces go) of every
  // mail, tenant senders included: SPF is checked against the server's domain.
  std::string from;
  std::optional<SmtpTarget> smtp;  // deliver over SMTP instead of the outbox
  std::int64_t retry_base_ms = 30'000;
};

class Sender {
 public:
  Sender(net::io_context& io, store::Store& store, Pool& blocking, SenderOptions options);
  ~Sender();
  // Starts the sender coroutine on `io`.
  void start();
  // Wakes the sender now (after a commit that queued mail). Thread-safe.
  void notify();
  // Cancels an SMTP attempt in flight and ends the coroutine, so that a
  // shutdown does not wait for a slow server. Thread-safe.
  void stop();
  // Delivers every due message once; returns how many were delivered.
  // Blocking: runs on the blocking pool.
  std::size_t drain_once();

  struct Impl;

 private:
  std::shared_ptr<Impl> impl_;
};

}  // namespace lk::mail
