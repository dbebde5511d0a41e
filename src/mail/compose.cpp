#include "mail/compose.hpp"

#include "core/clock.hpp"
#include "crypto/encoding.hpp"
#include "crypto/random.hpp"
#include "mail/templates.hpp"

#include <algorithm>
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

// Subjects carry tenant names, which may be any UTF-8: raw 8-bit headers are
// only allowed with SMTPUTF8, so non-ASCII text goes out as RFC 2047 encoded
// words (base64, at most 45 input bytes each so every word stays under the
// 75-character limit, split on UTF-8 character boundaries).
std::string encode_subject(std::string_view subject) {
  std::string clean = header_safe(subject);
  bool ascii = true;
  for (unsigned char c : clean) ascii = ascii && c >= 0x20 && c < 0x7f;
  if (ascii) return clean;
  std::string out;
  std::size_t pos = 0;
  while (pos < clean.size()) {
    std::size_t end = std::min(clean.size(), pos + 45);
    while (end > pos + 1 && end < clean.size() && (static_cast<unsigned char>(clean[end]) & 0xc0) == 0x80) --end;
    if (!out.empty()) out += "\r\n ";
    out += "=?UTF-8?B?" + crypto::base64_encode(std::string_view(clean).substr(pos, end - pos)) + "?=";
    pos = end;
  }
  return out;
}

// SMTP (RFC 5321 section 2.3.8) and RFC 5322 allow CR and LF only as CRLF,
// and libcurl uploads the message as is: the templates' "\n" become "\r\n".
std::string crlf_lines(std::string_view body) {
  std::string out;
  out.reserve(body.size() + body.size() / 32);
  for (std::size_t i = 0; i < body.size(); ++i) {
    char c = body[i];
    if (c == '\r') {
      out += "\r\n";
      if (i + 1 < body.size() && body[i + 1] == '\n') ++i;
    } else if (c == '\n') {
      out += "\r\n";
    } else {
      out.push_back(c);
    }
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
  // Accounts keeps verification links for 24 hours.
  return render_template("verify_email", {{"tenant", tenant_name}, {"link", link}, {"valid_for", "24 hours"}});
}

Message reset_password_message(std::string_view tenant_name, std::string_view link, std::string_view valid_for) {
  return render_template("reset_password", {{"tenant", tenant_name}, {"link", link}, {"valid_for", valid_for}});
}

Message password_changed_message(std::string_view tenant_name) {
  return render_template("password_changed", {{"tenant", tenant_name}});
}

Message change_email_message(std::string_view tenant_name, std::string_view link, std::string_view new_email,
                             std::string_view valid_for) {
  return render_template("change_email", {{"tenant", tenant_name},
                                          {"link", link},
                                          {"new_email", new_email},
                                          {"valid_for", valid_for}});
}

Message email_changed_message(std::string_view tenant_name, std::string_view new_email) {
  return render_template("email_changed", {{"tenant", tenant_name}, {"new_email", new_email}});
}

Message account_deleted_message(std::string_view tenant_name, std::string_view link, std::string_view valid_for) {
  return render_template("account_deleted", {{"tenant", tenant_name}, {"link", link}, {"valid_for", valid_for}});
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
  out += "Subject: " + encode_subject(mail.subject) + "\r\n";
  out += "Date: " + rfc5322_date(mail.due_ms) + "\r\n";
  out += "Message-ID: <" + to_string(mail.id) + "@latchkey>\r\n";
  out += "MIME-Version: 1.0\r\n";
  out += "Content-Type: multipart/alternative; boundary=\"" + boundary + "\"\r\n\r\n";
  out += "--" + boundary + "\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n";
  out += crlf_lines(mail.text_body) + "\r\n";
  out += "--" + boundary + "\r\nContent-Type: text/html; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n";
  out += crlf_lines(mail.html_body) + "\r\n";
  out += "--" + boundary + "--\r\n";
  return out;
}

}  // namespace lk::mail
