#include "mail/compose.hpp"

#include "crypto/encoding.hpp"

#include <doctest/doctest.h>

#include <optional>
#include <string>
#include <vector>

using namespace lk;
using namespace lk::mail;

namespace {

constexpr std::int64_t kNow = 1'800'000'000'000;  // 2027-01-15T08:00:00Z
constexpr std::string_view kFrom = "Latchkey <no-reply@localhost>";

Id id_of(std::uint8_t b) {
  Id id{};
  id.fill(b);
  return id;
}

store::MailRecord make_mail(std::string to, std::string subject) {
  store::MailRecord m;
  m.due_ms = kNow;
  m.id = id_of(0xab);
  m.tenant_id = id_of(0x01);
  m.to = std::move(to);
  m.subject = std::move(subject);
  m.text_body = "plain text body";
  m.html_body = "<p>html body</p>";
  return m;
}

// The header block: everything before the first empty line, split on CRLF.
std::vector<std::string> header_lines(const std::string& message) {
  std::vector<std::string> lines;
  std::size_t end = message.find("\r\n\r\n");
  REQUIRE(end != std::string::npos);
  std::string_view head(message.data(), end);
  while (true) {
    std::size_t crlf = head.find("\r\n");
    lines.emplace_back(head.substr(0, crlf));
    if (crlf == std::string_view::npos) break;
    head.remove_prefix(crlf + 2);
  }
  return lines;
}

// The text of an RFC 2047 "=?UTF-8?B?...?=" word, or nullopt.
std::optional<std::string> decode_word(std::string_view word) {
  constexpr std::string_view kPrefix = "=?UTF-8?B?";
  if (!word.starts_with(kPrefix) || !word.ends_with("?=")) return std::nullopt;
  std::string b64(word.substr(kPrefix.size(), word.size() - kPrefix.size() - 2));
  while (!b64.empty() && b64.back() == '=') b64.pop_back();
  for (auto& c : b64) c = c == '+' ? '-' : c == '/' ? '_' : c;
  return crypto::base64url_decode(b64);
}

// True when `s` does not start or end inside a multi-byte UTF-8 sequence.
bool utf8_whole(std::string_view s) {
  if (s.empty()) return true;
  if ((static_cast<unsigned char>(s.front()) & 0xc0) == 0x80) return false;
  std::size_t i = s.size();
  std::size_t cont = 0;
  while (i > 0 && (static_cast<unsigned char>(s[i - 1]) & 0xc0) == 0x80) --i, ++cont;
  if (i == 0) return false;
  unsigned char lead = static_cast<unsigned char>(s[i - 1]);
  std::size_t need = lead < 0x80 ? 0 : lead >= 0xf0 ? 3 : lead >= 0xe0 ? 2 : 1;
  return cont == need;
}

bool has_header_starting(const std::vector<std::string>& lines, std::string_view prefix) {
  for (const auto& l : lines) {
    if (l.starts_with(prefix)) return true;
  }
  return false;
}

}  // namespace

// ---- html_escape ----

TEST_CASE("html_escape escapes the five HTML-significant characters") {
  CHECK(html_escape("&") == "&amp;");
  CHECK(html_escape("<") == "&lt;");
  CHECK(html_escape(">") == "&gt;");
  CHECK(html_escape("\"") == "&quot;");
  CHECK(html_escape("'") == "&#39;");
  CHECK(html_escape(R"(<a href="x" onclick='y'>&amp;</a>)") ==
        "&lt;a href=&quot;x&quot; onclick=&#39;y&#39;&gt;&amp;amp;&lt;/a&gt;");
}

TEST_CASE("html_escape leaves other text, including UTF-8, unchanged") {
  CHECK(html_escape("") == "");
  CHECK(html_escape("Caf\xc3\xa9 Latchkey 123 ?=/") == "Caf\xc3\xa9 Latchkey 123 ?=/");
}

// ---- verification_message / to_record ----

TEST_CASE("verification_message escapes a hostile tenant name and link in the HTML only") {
  Message m = verification_message("<script>alert(1)</script>", "https://app.example/verify?t=a&u=\"x\"");
  CHECK(m.html.find("<script>") == std::string::npos);
  CHECK(m.html.find("&lt;script&gt;alert(1)&lt;/script&gt;") != std::string::npos);
  CHECK(m.html.find("href=\"https://app.example/verify?t=a&amp;u=&quot;x&quot;\"") != std::string::npos);
  CHECK(m.html.find("u=\"x\"") == std::string::npos);
  CHECK(m.text.find("https://app.example/verify?t=a&u=\"x\"") != std::string::npos);
  CHECK(m.subject.find("<script>alert(1)</script>") != std::string::npos);
}

store::TenantRecord tenant_of(std::uint8_t b, store::MailSender sender = {}) {
  store::TenantRecord t;
  t.id = id_of(b);
  t.mail_from = std::move(sender);
  return t;
}

TEST_CASE("to_record fills the queue record, due now") {
  Message m{"subj", "text", "<p>html</p>"};
  store::MailRecord r = to_record(tenant_of(7), "user@example.com", m, kNow);
  CHECK(r.due_ms == kNow);
  CHECK(r.tenant_id == id_of(7));
  CHECK(r.to == "user@example.com");
  CHECK(r.subject == "subj");
  CHECK(r.text_body == "text");
  CHECK(r.html_body == "<p>html</p>");
  CHECK(r.attempts == 0);
  CHECK(r.id != Id{});
  CHECK(r.from.address.empty());
  CHECK(to_record(tenant_of(7), "user@example.com", m, kNow).id != r.id);
}

TEST_CASE("to_record copies the tenant's sender into the queued mail") {
  auto tenant = tenant_of(7, {"Acme", "no-reply@acme.example"});
  store::MailRecord r = to_record(tenant, "user@example.com", Message{"s", "t", "h"}, kNow);
  CHECK(r.from.name == "Acme");
  CHECK(r.from.address == "no-reply@acme.example");
  // A later change of the tenant does not reach the record already built.
  tenant.mail_from = {};
  CHECK(r.from.address == "no-reply@acme.example");
  CHECK(render_rfc5322(r, kFrom).starts_with("From: \"Acme\" <no-reply@acme.example>\r\n"));
}

// ---- render_rfc5322 ----

TEST_CASE("render_rfc5322 writes From, To, Subject, Date, Message-ID and MIME headers") {
  std::string msg = render_rfc5322(make_mail("user@example.com", "Verify your email"), kFrom);
  auto lines = header_lines(msg);
  CHECK(lines[0] == "From: Latchkey <no-reply@localhost>");
  CHECK(has_header_starting(lines, "To: user@example.com"));
  CHECK(has_header_starting(lines, "Subject: Verify your email"));
  CHECK(has_header_starting(lines, "Date: Fri, 15 Jan 2027 08:00:00 +0000"));
  CHECK(has_header_starting(lines, "Message-ID: <" + to_string(id_of(0xab)) + "@latchkey>"));
  CHECK(has_header_starting(lines, "MIME-Version: 1.0"));
  CHECK(has_header_starting(lines, "Content-Type: multipart/alternative; boundary=\""));
}

TEST_CASE("render_rfc5322 has a text part and an HTML part inside the declared boundary") {
  std::string msg = render_rfc5322(make_mail("user@example.com", "s"), kFrom);
  std::string key = "boundary=\"";
  std::size_t b = msg.find(key);
  REQUIRE(b != std::string::npos);
  std::size_t e = msg.find('"', b + key.size());
  std::string boundary = msg.substr(b + key.size(), e - b - key.size());
  REQUIRE_FALSE(boundary.empty());

  std::size_t text_part = msg.find("--" + boundary + "\r\nContent-Type: text/plain; charset=utf-8\r\n");
  std::size_t html_part = msg.find("--" + boundary + "\r\nContent-Type: text/html; charset=utf-8\r\n");
  std::size_t closing = msg.find("--" + boundary + "--\r\n");
  REQUIRE(text_part != std::string::npos);
  REQUIRE(html_part != std::string::npos);
  REQUIRE(closing != std::string::npos);
  CHECK(text_part < html_part);
  CHECK(html_part < closing);
  CHECK(msg.find("plain text body", text_part) < html_part);
  CHECK(msg.find("<p>html body</p>", html_part) < closing);
  CHECK(msg.ends_with("--" + boundary + "--\r\n"));
}

TEST_CASE("render_rfc5322 strips CR and LF from To so no header can be injected") {
  std::string msg = render_rfc5322(make_mail("victim@example.com\r\nBcc: attacker@evil.example", "s"), kFrom);
  auto lines = header_lines(msg);
  CHECK_FALSE(has_header_starting(lines, "Bcc:"));
  CHECK(has_header_starting(lines, "To: victim@example.comBcc: attacker@evil.example"));
}

TEST_CASE("render_rfc5322 strips bare CR and bare LF from Subject and From") {
  std::string msg = render_rfc5322(make_mail("u@example.com", "Hi\nBcc: a@evil.example\rX-Evil: 1\r\n\r\n<body>"),
                                   "Team <t@example.com>\nReply-To: evil@evil.example");
  auto lines = header_lines(msg);
  CHECK_FALSE(has_header_starting(lines, "Bcc:"));
  CHECK_FALSE(has_header_starting(lines, "X-Evil:"));
  CHECK_FALSE(has_header_starting(lines, "Reply-To:"));
  CHECK_FALSE(has_header_starting(lines, "<body>"));
  CHECK(has_header_starting(lines, "Subject: HiBcc: a@evil.exampleX-Evil: 1<body>"));
  // The header block is the fixed set of seven lines.
  CHECK(lines.size() == 7);
}

// RFC 5322 (section 2.3) and SMTP allow CR and LF only together as CRLF, and
// servers reject a bare LF (SMTP smuggling defences); the templates' lines
// end in "\n".
TEST_CASE("render_rfc5322 uses CRLF line endings throughout, body included") {
  store::MailRecord m = make_mail("u@example.com", "s");
  Message v = verification_message("Acme", "https://app.example/verify?t=1");
  m.text_body = v.text;
  m.html_body = v.html;
  std::string msg = render_rfc5322(m, kFrom);
  // And a body with every kind of line break, including a lone CR at the end.
  m.text_body = "a\nb\rc\r\nd\n\n\r\re\r";
  m.html_body = "\n<p>x</p>\r\n\r";
  msg += render_rfc5322(m, kFrom);
  std::size_t bare_lf = 0;
  std::size_t bare_cr = 0;
  for (std::size_t i = 0; i < msg.size(); ++i) {
    if (msg[i] == '\n' && (i == 0 || msg[i - 1] != '\r')) ++bare_lf;
    if (msg[i] == '\r' && (i + 1 == msg.size() || msg[i + 1] != '\n')) ++bare_cr;
  }
  CHECK(bare_lf == 0);
  CHECK(bare_cr == 0);
}

TEST_CASE("render_rfc5322 sends a non-ASCII subject as RFC 2047 words, headers stay 7-bit") {
  // 40 two-byte characters: more than one encoded word is needed.
  std::string subject = "V\xc3\xa9rifiez votre e-mail pour ";
  for (int i = 0; i < 40; ++i) subject += "\xc3\xa9";
  std::string msg = render_rfc5322(make_mail("u@example.com", subject + "\r\nBcc: x@evil.example"), kFrom);
  auto lines = header_lines(msg);
  for (const auto& line : lines) {
    for (unsigned char c : line) CHECK((c >= 0x20 && c < 0x7f));
  }
  CHECK_FALSE(has_header_starting(lines, "Bcc:"));
  // Reassemble the Subject from its folded lines and decode every word.
  std::string decoded;
  bool in_subject = false;
  for (const auto& line : lines) {
    std::string_view rest;
    if (line.starts_with("Subject: ")) {
      in_subject = true;
      rest = std::string_view(line).substr(9);
    } else if (in_subject && line.starts_with(" ")) {
      rest = std::string_view(line).substr(1);
    } else {
      in_subject = false;
      continue;
    }
    auto word = decode_word(rest);
    REQUIRE_MESSAGE(word, line);
    CHECK(rest.size() <= 75);
    CHECK(utf8_whole(*word));
    decoded += *word;
  }
  CHECK(decoded == subject + "Bcc: x@evil.example");
}

// ---- tenant senders ----

TEST_CASE("valid_display_name refuses control characters and bidi overrides") {
  CHECK(valid_display_name(""));
  CHECK(valid_display_name("Acme Accounts"));
  CHECK(valid_display_name("Acme \"Ops\" <team>, Inc.; (EU) \\ x"));
  CHECK(valid_display_name("\xc3\x89quipe Acme \xe2\x9c\x93 \xe6\x97\xa5\xe6\x9c\xac"));  // Équipe Acme ✓ 日本
  CHECK(valid_display_name("\xc2\xa0nbsp \xc2\xbf"));  // U+00A0, U+00BF: just above C1
  // Literals are split where a hex escape would swallow the next letter.
  const std::vector<std::string> bad_names = {
      "Acme\r\nBcc: x@evil.example",
      "Acme\n",
      "Acme\r",
      "A\tB",
      std::string("A\0B", 3),
      "A\x1b[31mB",
      "A\x7f",
      "A\xc2\x85"
      "B",
      "A\xc2\x9f",
      "A\xe2\x80\xae"
      "gpj.exe",
      "A\xe2\x80\xaa",
      "A\xe2\x81\xa6",
      "A\xe2\x81\xa9",
  };
  for (const std::string& bad : bad_names) {
    CAPTURE(bad);
    CHECK_FALSE(valid_display_name(bad));
  }
  CHECK(valid_display_name("A\xe2\x80\xa9"));  // U+2029 is no bidi control
}

TEST_CASE("header_safe_address takes only plain ASCII addr-specs") {
  for (std::string good :
       {"no-reply@acme.example", "a.b+tag@mail.acme-corp.example", "o'neil@x.io", "{x}|~!#$%&*=?^_`/@x.io"}) {
    CAPTURE(good);
    CHECK(header_safe_address(good));
  }
  for (std::string bad : {"", "@x.io", "a@", "a b@x.io", "a@x.io>", "<a@x.io", "a\r\n@x.io", "a@x.io\r\nBcc: e@v.io",
                          "\"a\"@x.io", "a(b)@x.io", "a..b@x.io", ".a@x.io", "a.@x.io", "a@x_y.io", "j\xc3\xb6rg@x.io",
                          "a@b\xc3\xbc"
                          "cher.example",
                          "a@[127.0.0.1]", "a,b@x.io"}) {
    CAPTURE(bad);
    CHECK_FALSE(header_safe_address(bad));
  }
}

TEST_CASE("from_header: address alone, quoted ASCII name, RFC 2047 for the rest") {
  CHECK(from_header({"", "no-reply@acme.example"}) == "no-reply@acme.example");
  CHECK(from_header({"Acme", "no-reply@acme.example"}) == "\"Acme\" <no-reply@acme.example>");
  // Specials stay inside the quotes; quote and backslash are escaped.
  CHECK(from_header({"Acme \"Ops\", Inc. <x@evil.example> \\", "a@acme.example"}) ==
        "\"Acme \\\"Ops\\\", Inc. <x@evil.example> \\\\\" <a@acme.example>");
  std::string name = "\xc3\x89quipe Acme ";
  for (int i = 0; i < 30; ++i) name += "\xe2\x9c\x93";  // 90 bytes: several words
  std::string header = from_header({name, "a@acme.example"});
  REQUIRE(header.ends_with(" <a@acme.example>"));
  std::string words = header.substr(0, header.size() - std::string(" <a@acme.example>").size());
  std::string decoded;
  std::size_t pos = 0;
  int count = 0;
  while (pos <= words.size()) {
    std::size_t end = words.find("\r\n ", pos);
    std::string_view word =
        std::string_view(words).substr(pos, end == std::string::npos ? std::string::npos : end - pos);
    auto text = decode_word(word);
    REQUIRE_MESSAGE(text, std::string(word));
    CHECK(word.size() <= 75);
    CHECK(utf8_whole(*text));
    decoded += *text;
    ++count;
    if (end == std::string::npos) break;
    pos = end + 3;
  }
  CHECK(count > 1);
  CHECK(decoded == name);
  for (unsigned char c : header) CHECK((c == '\r' || c == '\n' || (c >= 0x20 && c < 0x7f)));
}

TEST_CASE("render_rfc5322 uses the mail's sender, else the server's, and injects no header") {
  auto mail = make_mail("u@example.com", "s");
  CHECK(header_lines(render_rfc5322(mail, kFrom))[0] == "From: Latchkey <no-reply@localhost>");
  mail.from = {"Acme", "no-reply@acme.example"};
  CHECK(header_lines(render_rfc5322(mail, kFrom))[0] == "From: \"Acme\" <no-reply@acme.example>");
  // Values that validation refuses still cannot add a header line.
  mail.from = {"Acme\r\nBcc: x@evil.example", "a@acme.example\r\nReply-To: y@evil.example"};
  auto lines = header_lines(render_rfc5322(mail, kFrom));
  CHECK_FALSE(has_header_starting(lines, "Bcc:"));
  CHECK_FALSE(has_header_starting(lines, "Reply-To:"));
  CHECK(lines.size() == 7);
}
