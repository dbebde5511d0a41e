#include "mail/smtp.hpp"

#include <curl/curl.h>
#include <doctest/doctest.h>

using namespace lk;
using namespace lk::mail;

TEST_CASE("parse_smtp_url: host and port, no credentials") {
  auto t = parse_smtp_url("smtp://mail.example.com:2525");
  REQUIRE(t.has_value());
  CHECK(t->url == "smtp://mail.example.com:2525");
  CHECK(t->user.empty());
  CHECK_FALSE(t->require_tls);
  CHECK_FALSE(t->implicit_tls);
  CHECK(parse_smtp_url("smtp://127.0.0.1")->url == "smtp://127.0.0.1");
  CHECK(parse_smtp_url("smtp://[::1]:25")->url == "smtp://[::1]:25");
}

TEST_CASE("parse_smtp_url: credentials are percent-decoded and kept out of the URL") {
  auto t = parse_smtp_url("smtp://us%40er:p%3Ass+w%2F@smtp.test:587");
  REQUIRE(t.has_value());
  CHECK(t->user == "us@er");
  CHECK(t->password == "p:ss+w/");
  CHECK(t->url == "smtp://smtp.test:587");
  auto raw_at = parse_smtp_url("smtp://u:p@ss@smtp.test");  // the last '@' ends the userinfo
  REQUIRE(raw_at.has_value());
  CHECK(raw_at->password == "p@ss");
}

TEST_CASE("parse_smtp_url: TLS modes") {
  CHECK(parse_smtp_url("smtp://h.test?starttls=require")->require_tls);
  CHECK_FALSE(parse_smtp_url("smtp://h.test?starttls=try")->require_tls);
  auto s = parse_smtp_url("smtps://h.test:465");
  REQUIRE(s.has_value());
  CHECK(s->implicit_tls);
  CHECK(s->require_tls);
  CHECK(s->url == "smtps://h.test:465");
  CHECK(parse_smtp_url("smtp://h.test/ehlo.example")->url == "smtp://h.test/ehlo.example");
}

TEST_CASE("parse_smtp_url: malformed URLs are refused without echoing them") {
  for (const char* bad :
       {"http://h.test", "smtp://", "smtp://h.test:0", "smtp://h.test:65536", "smtp://h.test:x",
        "smtp://h.test:", "smtp://h .test", "smtp://h.test?tls=yes", "smtp://:secretpw@h.test",
        "smtp://u:bad%zzsecretpw@h.test", "smtp://u:a%0dsecretpw@h.test", "smtp://h.test/a/b", "smtp://[::1"}) {
    CAPTURE(bad);
    auto t = parse_smtp_url(bad);
    REQUIRE_FALSE(t.has_value());
    CHECK(t.error().code == Errc::validation_error);
    CHECK(t.error().message.starts_with("--mail: "));
    CHECK(t.error().message.find("secretpw") == std::string::npos);
  }
}

TEST_CASE("envelope_address takes the address out of a From header") {
  CHECK(envelope_address("Latchkey <no-reply@localhost>") == "no-reply@localhost");
  CHECK(envelope_address("  bare@example.com ") == "bare@example.com");
  CHECK(envelope_address("\"A <b>\" <real@example.com>") == "real@example.com");
}

TEST_CASE("classify: delivered, permanent and temporary outcomes") {
  CHECK(classify(CURLE_OK, 250).outcome == Outcome::delivered);
  // The server refused this message or recipient: drop it.
  CHECK(classify(CURLE_SEND_ERROR, 550).outcome == Outcome::rejected);
  CHECK(classify(CURLE_WEIRD_SERVER_REPLY, 554).outcome == Outcome::rejected);
  // Temporary refusals are retried, and say nothing about other messages.
  Delivery later = classify(CURLE_SEND_ERROR, 451);
  CHECK(later.outcome == Outcome::retry);
  CHECK_FALSE(later.server_down);
  CHECK(later.smtp_code == 451);
}

TEST_CASE("classify: our own configuration problems are retried, never dropped") {
  for (const auto& attempt : {std::pair{CURLE_LOGIN_DENIED, 535L}, std::pair{CURLE_SEND_ERROR, 530L},
                              std::pair{CURLE_USE_SSL_FAILED, 250L}, std::pair{CURLE_PEER_FAILED_VERIFICATION, 0L}}) {
    const int code = attempt.first;
    CAPTURE(code);
    Delivery d = classify(code, attempt.second);
    CHECK(d.outcome == Outcome::retry);
    CHECK(d.server_down);
  }
}

TEST_CASE("classify: an unreachable server pauses the queue") {
  for (auto code : {CURLE_COULDNT_CONNECT, CURLE_COULDNT_RESOLVE_HOST, CURLE_OPERATION_TIMEDOUT, CURLE_GOT_NOTHING}) {
    CAPTURE(code);
    Delivery d = classify(code, 0);
    CHECK(d.outcome == Outcome::retry);
    CHECK(d.server_down);
  }
  CHECK(classify(CURLE_RECV_ERROR, 421).server_down);
}
