#include "mail/compose.hpp"

#include "core/clock.hpp"
#include "crypto/random.hpp"

#include <ctime>

namespace lk::mail {

namespace {
std::string header_safe(std::string_view value) {
  std::string out;
  for (char c : value) {
    if (c != '\r' && c != '\n') out.push_back(c);
  }
  return out;
}

std::string rfc5322_date(std::int64_t unix_ms) {
  std::time_t secs = static_cast<std::time_t>(unix_ms / 1000);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char buf[64];
  std::strftime(buf, sizeof buf, "%a, %d %b %Y %H:%M:%S +0000", &tm);
  return buf;
}
}  // namespace

std::string html_escape(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&#39;"; break;
      default: out.push_back(c);
    }
  }
  return out;
}

Message verification_message(std::string_view tenant_name, std::string_view link) {
  Message m;
  m.subject = "Verify your email for " + std::string(tenant_name);
  m.text = "Welcome to " + std::string(tenant_name) +
           "!\n\nPlease confirm your email address by opening this link:\n\n" + std::string(link) +
           "\n\nThe link is valid for 24 hours. If you did not sign up, ignore this message.\n";
  std::string name = html_escape(tenant_name);
  std::string href = html_escape(link);
  m.html = "<!doctype html><html><body><p>Welcome to " + name +
           "!</p><p>Please confirm your email address:</p><p><a href=\"" + href + "\">" + href +
           "</a></p><p>The link is valid for 24 hours. If you did not sign up, ignore this message.</p></body></html>";
  return m;
}

store::MailRecord to_record(const Id& tenant, std::string_view to, Message message, std::int64_t now_ms) {
  store::MailRecord record;
  record.due_ms = now_ms;
  record.id = crypto::new_id();
  record.tenant_id = tenant;
  record.to = std::string(to);
  record.subject = std::move(message.subject);
  record.text_body = std::move(message.text);
  record.html_body = std::move(message.html);
  return record;
}

std::string render_rfc5322(const store::MailRecord& mail, std::string_view from) {
  std::string boundary = "=_latchkey_" + to_string(mail.id);
  std::string out;
  out += "From: " + header_safe(from) + "\r\n";
  out += "To: " + header_safe(mail.to) + "\r\n";
  out += "Subject: " + header_safe(mail.subject) + "\r\n";
  out += "Date: " + rfc5322_date(mail.due_ms) + "\r\n";
  out += "Message-ID: <" + to_string(mail.id) + "@latchkey>\r\n";
  out += "MIME-Version: 1.0\r\n";
  out += "Content-Type: multipart/alternative; boundary=\"" + boundary + "\"\r\n\r\n";
  out += "--" + boundary + "\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n";
  out += mail.text_body + "\r\n";
  out += "--" + boundary + "\r\nContent-Type: text/html; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n";
  out += mail.html_body + "\r\n";
  out += "--" + boundary + "--\r\n";
  return out;
}

}  // namespace lk::mail
