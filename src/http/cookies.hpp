// Cookie header parsing and Set-Cookie rendering.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace lk::http {

// Value of cookie `name` in a Cookie header ("a=1; b=2"), or nullopt: a
// view into `cookie_header`.
std::optional<std::string_view> cookie_value(std::string_view cookie_header, std::string_view name);

struct CookieSpec {
  std::string_view name;
  std::string_view value;
  long max_age_s = 0;  // 0 clears the cookie
  bool secure = true;
  std::string_view path = "/";
};

// "name=value; Max-Age=N; Path=/; HttpOnly; SameSite=Lax[; Secure]"
std::string set_cookie(const CookieSpec& spec);

}  // namespace lk::http
