#include "mail/compose.hpp"

#include "core/clock.hpp"
#include "crypto/encoding.hpp"
#include "crypto/random.hpp"
#include "mail/templates.hpp"

#include <algorithm>
#include <cctype>
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

bool is_ascii_text(std::string_view text) {
  for (unsigned char c : text) {
    if (c < 0x20 || c >= 0x7f) return false;
  }
  return true;
}

// Raw 8-bit headers are only allowed with SMTPUTF8, so non-ASCII text goes
// out as RFC 2047 encoded words (base64, at most 45 input bytes each so
// every word stays under the 75-character limit, split on UTF-8 character
// boundaries), folded one word per line.
std::string encoded_words(std::string_view text) {
  std::string out;
  std::size_t pos = 0;
  while (pos < text.size()) {
    std::size_t end = std::min(text.size(), pos + 45);
    while (end > pos + 1 && end < text.size() && (static_cast<unsigned char>(text[end]) & 0xc0) == 0x80) --end;
    if (!out.empty()) out += "\r\n ";
    out += "=?UTF-8?B?" + crypto::base64_encode(text.substr(pos, end - pos)) + "?=";
    pos = end;
  }
  return out;
}

// Subjects carry tenant names, which may be any UTF-8.
std::string encode_subject(std::string_view subject) {
  std::string clean = header_safe(subject);
  return is_ascii_text(clean) ? clean : encoded_words(clean);
}

// RFC 5322 atext, the characters of a dot-atom local part besides '.'.
bool is_atext(unsigned char c) {
  constexpr std::string_view kSymbols = "!#$%&'*+-/=?^_`{|}~";
  return std::isalnum(c) || kSymbols.find(static_cast<char>(c)) != std::string_view::npos;
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

bool valid_display_name(std::string_view name) {
  for (std::size_t i = 0; i < name.size(); ++i) {
    auto c = static_cast<unsigned char>(name[i]);
    auto next = [&](std::size_t k) { return i + k < name.size() ? static_cast<unsigned char>(name[i + k]) : 0; };
    if (c < 0x20 || c == 0x7f) return false;                           // C0 (CR, LF, TAB...) and DEL
    if (c == 0xc2 && next(1) >= 0x80 && next(1) <= 0x9f) return false;  // C1: U+0080..U+009F
    // Bidirectional embeddings, overrides and isolates (U+202A..U+202E,
    // U+2066..U+2069): they make a name display as something else.
    if (c == 0xe2 && next(1) == 0x80 && next(2) >= 0xaa && next(2) <= 0xae) return false;
    if (c == 0xe2 && next(1) == 0x81 && next(2) >= 0xa6 && next(2) <= 0xa9) return false;
  }
  return true;
}

bool header_safe_address(std::string_view address) {
  std::size_t at = address.rfind('@');
  if (at == std::string_view::npos || at == 0 || at + 1 == address.size()) return false;
  std::string_view local = address.substr(0, at);
  if (local.front() == '.' || local.back() == '.' || local.find("..") != std::string_view::npos) return false;
  for (unsigned char c : local) {
    if (c != '.' && !is_atext(c)) return false;
  }
  for (unsigned char c : address.substr(at + 1)) {
    if (!(std::isalnum(c) || c == '-' || c == '.')) return false;
  }
  return true;
}

std::string from_header(const store::MailSender& sender) {
  std::string address = header_safe(sender.address);
  std::string name = header_safe(sender.name);
  if (name.empty()) return address;
  if (!is_ascii_text(name)) return encoded_words(name) + " <" + address + ">";
  // A quoted string: any ASCII name, specials included, reads back as is.
  std::string out = "\"";
  for (char c : name) {
    if (c == '"' || c == '\\') out.push_back('\\');
    out.push_back(c);
  }
  return out + "\" <" + address + ">";
}

store::MailRecord to_record(const store::TenantRecord& tenant, std::string_view to, Message message,
                            std::int64_t now_ms) {
  store::MailRecord record;
  record.due_ms = now_ms;
  record.id = crypto::new_id();
  record.tenant_id = tenant.id;
  record.from = tenant.mail_from;
  record.to = std::string(to);
  record.subject = std::move(message.subject);
  record.text_body = std::move(message.text);
  record.html_body = std::move(message.html);
  return record;
}

std::string render_rfc5322(const store::MailRecord& mail, std::string_view default_from) {
  std::string boundary = "=_latchkey_" + to_string(mail.id);
  std::string out;
  out += "From: " + (mail.from.address.empty() ? header_safe(default_from) : from_header(mail.from)) + "\r\n";
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
