#include "http/cookies.hpp"

namespace lk::http {

namespace {
std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}
}  // namespace

std::optional<std::string_view> cookie_value(std::string_view header, std::string_view name) {
  while (!header.empty()) {
    std::size_t semi = header.find(';');
    std::string_view pair = trim(header.substr(0, semi));
    header = semi == std::string_view::npos ? std::string_view{} : header.substr(semi + 1);
    std::size_t eq = pair.find('=');
    if (eq == std::string_view::npos) continue;
    if (trim(pair.substr(0, eq)) != name) continue;
    std::string_view value = trim(pair.substr(eq + 1));
    if (value.size() >= 2 && value.front() == '"' && value.back() == '"') value = value.substr(1, value.size() - 2);
    return value;
  }
  return std::nullopt;
}

std::string set_cookie(const CookieSpec& spec) {
  std::string out;
  out.reserve(spec.name.size() + spec.value.size() + 80);
  out.append(spec.name).append("=").append(spec.value);
  out.append("; Max-Age=").append(std::to_string(spec.max_age_s));
  out.append("; Path=").append(spec.path);
  out.append("; HttpOnly; SameSite=Lax");
  if (spec.secure) out.append("; Secure");
  return out;
}

}  // namespace lk::http
