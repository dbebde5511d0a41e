// SMTP delivery through libcurl (loaded at run time): the --mail URL, one message per call, and
// how an attempt's outcome is classified.
#pragma once

#include "core/error.hpp"

#include <atomic>
#include <string>
#include <string_view>

namespace lk::mail {

// Parsed `--mail smtp://[user:pass@]host[:port][/ehlo-name][?starttls=require]`
// (or smtps:// for implicit TLS).
struct SmtpTarget {
  std::string url;  // scheme://host[:port][/path]: no credentials, no query; safe to log
  std::string user;
  std::string password;
  bool implicit_tls = false;  // smtps://
  bool require_tls = false;   // smtps://, or ?starttls=require
};

// Errors are VALIDATION_ERROR and never repeat the URL: it may hold a password.
[[nodiscard]] Result<SmtpTarget> parse_smtp_url(std::string_view url);

// The address inside "Name <addr>", or the whole (trimmed) text.
std::string envelope_address(std::string_view from_header);

enum class Outcome {
  delivered,  // the server accepted the message
  retry,      // temporary: keep it queued and try again later
  rejected,   // permanent: the server refused this message (5xx); drop it
};

struct Delivery {
  Outcome outcome = Outcome::retry;
  // The server is unreachable or refuses us as a client (no connection,
  // TLS, authentication): other messages would fail the same way, so the
  // sender pauses instead of trying each of them.
  bool server_down = false;
  long smtp_code = 0;  // the last SMTP reply code, 0 when none came
  std::string detail;  // libcurl's error text: no credentials, no message content
};

// Pure. `curl_code` is a CURLcode, `smtp_code` the last SMTP reply code.
// 5xx is permanent except 530/535 and TLS/login failures, which are our own
// configuration (a wrong password must not drop every queued mail); 4xx and
// transport errors are temporary.
Delivery classify(int curl_code, long smtp_code);

class SmtpClient {
 public:
  // Loads and initialises libcurl once per process (logs an error when it
  // cannot be loaded: send() then keeps every message queued).
  explicit SmtpClient(SmtpTarget target);

  // Sends one RFC 5322 message to one recipient. Blocks for the whole SMTP
  // conversation (bounded by connect and transfer timeouts): run it on the
  // blocking pool. Returns early with Outcome::retry once `cancel` is set.
  Delivery send(std::string_view envelope_from, std::string_view to, const std::string& message,
                const std::atomic<bool>& cancel) const;

  const SmtpTarget& target() const { return target_; }

 private:
  SmtpTarget target_;
};

}  // namespace lk::mail
