// The mail templates of data/templates/, compiled into the binary by
// tools/embed_templates.py, and the one function that fills them in.
#pragma once

#include "mail/compose.hpp"

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace lk::mail {

// One message: the subject line, the plain-text body and the HTML body, each
// holding {{name}} placeholders (the generator allows only tenant, link,
// valid_for and new_email).
struct TemplateSource {
  std::string_view name;
  std::string_view subject;
  std::string_view text;
  std::string_view html;
};

// Every embedded template, sorted by name (generated code).
std::span<const TemplateSource> template_sources();

using TemplateVars = std::vector<std::pair<std::string_view, std::string_view>>;

// Fills template `name`. Values go into the subject and text unchanged (the
// RFC 5322 writer strips CR/LF from headers) and into the HTML through
// html_escape, so a tenant name or address can never inject markup.
// Throws std::logic_error for an unknown template or a placeholder without a
// value: both are bugs in our code, never a user's input.
Message render_template(std::string_view name, const TemplateVars& vars);

// "30 minutes", "24 hours", "30 days", "1 hour", "90 seconds": the largest
// unit that divides `seconds` exactly (days from two days on; seconds when no
// unit divides).
std::string describe_duration(std::int64_t seconds);

}  // namespace lk::mail
