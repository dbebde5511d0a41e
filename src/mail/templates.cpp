#include "mail/templates.hpp"

#include <stdexcept>

namespace lk::mail {

namespace {

using Escape = std::string (*)(std::string_view);

std::string verbatim(std::string_view s) { return std::string(s); }

std::string fill(std::string_view name, std::string_view text, const TemplateVars& vars, Escape escape) {
  std::string out;
  out.reserve(text.size() + 256);
  std::size_t pos = 0;
  for (;;) {
    std::size_t open = text.find("{{", pos);
    if (open == std::string_view::npos) break;
    std::size_t close = text.find("}}", open + 2);
    if (close == std::string_view::npos) break;  // the generator refuses this
    out.append(text.substr(pos, open - pos));
    std::string_view key = text.substr(open + 2, close - open - 2);
    const std::string_view* value = nullptr;
    for (const auto& [k, v] : vars) {
      if (k == key) value = &v;
    }
    if (!value)
      throw std::logic_error("mail template " + std::string(name) + ": no value for {{" + std::string(key) + "}}");
    out += escape(*value);
    pos = close + 2;
  }
  out.append(text.substr(pos));
  return out;
}

}  // namespace

Message render_template(std::string_view name, const TemplateVars& vars) {
  for (const auto& t : template_sources()) {
    if (t.name != name) continue;
    Message m;
    m.subject = fill(name, t.subject, vars, verbatim);
    m.text = fill(name, t.text, vars, verbatim);
    m.html = fill(name, t.html, vars, html_escape);
    return m;
  }
  throw std::logic_error("unknown mail template " + std::string(name));
}

std::string describe_duration(std::int64_t seconds) {
  struct Unit {
    std::int64_t seconds;
    const char* name;
    std::int64_t from;  // "24 hours" reads better than "1 day"
  };
  static constexpr Unit kUnits[] = {{86400, "day", 2 * 86400}, {3600, "hour", 3600}, {60, "minute", 60}};
  for (const auto& u : kUnits) {
    if (seconds >= u.from && seconds % u.seconds == 0) {
      std::int64_t n = seconds / u.seconds;
      return std::to_string(n) + " " + u.name + (n == 1 ? "" : "s");
    }
  }
  return std::to_string(seconds) + (seconds == 1 ? " second" : " seconds");
}

}  // namespace lk::mail
