#include "mail/templates.hpp"

#include <doctest/doctest.h>

#include <set>
#include <stdexcept>
#include <string>

using namespace lk::mail;

namespace {

const TemplateVars kAll = {{"tenant", "Acme"},
                           {"link", "https://app.test/x?token=abc"},
                           {"valid_for", "30 minutes"},
                           {"new_email", "new@example.com"}};

bool contains(const std::string& haystack, std::string_view needle) {
  return haystack.find(needle) != std::string::npos;
}

}  // namespace

TEST_CASE("templates: every message has a subject, a text and an HTML body") {
  std::set<std::string_view> names;
  for (const auto& t : template_sources()) {
    names.insert(t.name);
    CHECK_FALSE(t.subject.empty());
    CHECK_FALSE(t.text.empty());
    CHECK(t.html.starts_with("<!doctype html>"));
  }
  CHECK(names == std::set<std::string_view>{"account_deleted", "change_email", "email_changed", "password_changed",
                                            "reset_password", "verify_email"});
}

TEST_CASE("templates: every placeholder is filled, in every part") {
  for (const auto& t : template_sources()) {
    CAPTURE(t.name);
    Message m = render_template(t.name, kAll);
    for (const std::string* part : {&m.subject, &m.text, &m.html}) {
      CHECK_FALSE(contains(*part, "{{"));
      CHECK_FALSE(contains(*part, "}}"));
    }
    CHECK(contains(m.subject, "Acme"));
  }
}

TEST_CASE("templates: a hostile tenant name is escaped in HTML and verbatim in text") {
  const std::string hostile = "<script>alert('x')</script> & \"Co\"";
  for (const auto& t : template_sources()) {
    CAPTURE(t.name);
    Message m = render_template(t.name, {{"tenant", hostile},
                                         {"link", "https://a.test/?a=1&b=\"2\""},
                                         {"valid_for", "1 hour"},
                                         {"new_email", "<b>x@y.test</b>"}});
    CHECK_FALSE(contains(m.html, "<script>"));
    CHECK_FALSE(contains(m.html, "<b>x@y.test"));
    CHECK_FALSE(contains(m.html, "b=\"2\""));
    CHECK(contains(m.html, "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; &quot;Co&quot;"));
    CHECK(contains(m.text, hostile));
    CHECK(contains(m.subject, hostile));
  }
}

TEST_CASE("templates: links land in an href, escaped, and in the text as is") {
  Message m =
      render_template("reset_password",
                      {{"tenant", "Acme"}, {"link", "https://a.test/r?token=t&x=\"y\""}, {"valid_for", "30 minutes"}});
  CHECK(contains(m.html, "href=\"https://a.test/r?token=t&amp;x=&quot;y&quot;\""));
  CHECK(contains(m.text, "https://a.test/r?token=t&x=\"y\""));
  CHECK(contains(m.text, "30 minutes"));
}

TEST_CASE("templates: a missing value or an unknown template is a bug, not an empty mail") {
  CHECK_THROWS_AS(render_template("reset_password", {{"tenant", "Acme"}}), std::logic_error);
  CHECK_THROWS_AS(render_template("no_such_template", kAll), std::logic_error);
}

TEST_CASE("message builders fill the right template") {
  CHECK(contains(verification_message("Acme", "L").subject, "Verify your email"));
  CHECK(contains(verification_message("Acme", "L").text, "24 hours"));
  CHECK(contains(reset_password_message("Acme", "L", "30 minutes").subject, "Reset your password"));
  CHECK(contains(password_changed_message("Acme").subject, "password was changed"));
  Message change = change_email_message("Acme", "L", "n@x.test", "24 hours");
  CHECK(contains(change.text, "n@x.test"));
  CHECK(contains(change.subject, "Confirm your new email"));
  CHECK(contains(email_changed_message("Acme", "n@x.test").text, "changed to n@x.test"));
  CHECK(contains(account_deleted_message("Acme", "L", "30 days").text, "30 days"));
}

TEST_CASE("describe_duration picks the largest whole unit") {
  CHECK(describe_duration(1800) == "30 minutes");
  CHECK(describe_duration(60) == "1 minute");
  CHECK(describe_duration(3600) == "1 hour");
  CHECK(describe_duration(86400) == "24 hours");
  CHECK(describe_duration(2 * 86400) == "2 days");
  CHECK(describe_duration(30 * 86400) == "30 days");
  CHECK(describe_duration(90) == "90 seconds");
  CHECK(describe_duration(1) == "1 second");
}
