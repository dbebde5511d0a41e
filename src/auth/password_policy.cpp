#include "auth/password_policy.hpp"

#include "auth/common_passwords.hpp"

#include <cctype>

namespace lk::auth {

namespace {
std::size_t code_points(std::string_view s) {
  std::size_t n = 0;
  for (unsigned char c : s) {
    if ((c & 0xc0) != 0x80) ++n;
  }
  return n;
}
}  // namespace

std::optional<std::string> check_password(std::string_view password) {
  std::size_t chars = code_points(password);
  if (chars < kMinPasswordChars) return "Password must be at least 8 characters";
  if (chars > kMaxPasswordChars || password.size() > kMaxPasswordBytes)
    return "Password must be at most 128 characters";
  if (is_common_password(password)) return "This password is too common; choose another";
  return std::nullopt;
}

std::string normalize_email(std::string_view email) {
  while (!email.empty() && std::isspace(static_cast<unsigned char>(email.front()))) email.remove_prefix(1);
  while (!email.empty() && std::isspace(static_cast<unsigned char>(email.back()))) email.remove_suffix(1);
  std::string out(email);
  for (auto& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

bool valid_email(std::string_view email) {
  if (email.empty() || email.size() > kMaxEmailChars) return false;
  std::size_t at = email.find('@');
  if (at == std::string_view::npos || at == 0 || email.find('@', at + 1) != std::string_view::npos) return false;
  std::string_view local = email.substr(0, at);
  std::string_view domain = email.substr(at + 1);
  if (local.size() > 64 || domain.size() < 3) return false;
  for (unsigned char c : local) {
    if (c <= 0x20 || c == 0x7f || c == '<' || c == '>' || c == '"' || c == ',' || c == ';' || c == '\\')
      return false;
  }
  if (domain.front() == '.' || domain.back() == '.' || domain.find("..") != std::string_view::npos) return false;
  if (domain.find('.') == std::string_view::npos) return false;
  for (unsigned char c : domain) {
    if (!(std::isalnum(c) || c == '-' || c == '.' || c >= 0x80)) return false;
  }
  return true;
}

}  // namespace lk::auth
