#include "http/url.hpp"

#include <cctype>

namespace lk::http {

namespace {
int hex_digit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}
}  // namespace

std::optional<std::string> percent_decode(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (c == '+') {
      out.push_back(' ');
    } else if (c == '%') {
      if (i + 2 >= text.size()) return std::nullopt;
      int hi = hex_digit(text[i + 1]);
      int lo = hex_digit(text[i + 2]);
      if (hi < 0 || lo < 0) return std::nullopt;
      out.push_back(static_cast<char>(hi << 4 | lo));
      i += 2;
    } else {
      out.push_back(c);
    }
  }
  return out;
}

std::string percent_encode(std::string_view text) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : text) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      out.push_back(static_cast<char>(c));
    } else {
      out.push_back('%');
      out.push_back(kHex[c >> 4]);
      out.push_back(kHex[c & 0x0f]);
    }
  }
  return out;
}

std::optional<std::string> origin_of(std::string_view url) {
  std::size_t scheme_end = url.find("://");
  if (scheme_end == std::string_view::npos) return std::nullopt;
  std::string scheme(url.substr(0, scheme_end));
  for (auto& ch : scheme) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
  if (scheme != "http" && scheme != "https") return std::nullopt;
  std::string_view rest = url.substr(scheme_end + 3);
  std::size_t end = rest.find_first_of("/?#");
  std::string_view authority = rest.substr(0, end);
  if (authority.empty() || authority.find('@') != std::string_view::npos) return std::nullopt;
  for (char ch : authority) {
    auto c = static_cast<unsigned char>(ch);
    if (std::isspace(c) || std::iscntrl(c)) return std::nullopt;
  }
  // A host is required; a port, when given, is digits only. IPv6 literals
  // keep their brackets ("[::1]:8080").
  std::size_t host_end = authority.front() == '[' ? authority.find(']') : authority.rfind(':');
  if (authority.front() == '[' && host_end == std::string_view::npos) return std::nullopt;
  if (authority.front() == '[') ++host_end;
  std::string_view host_part = authority.substr(0, host_end);
  if (host_part.empty() || host_part == "[]") return std::nullopt;
  if (host_end < authority.size()) {
    if (authority[host_end] != ':') return std::nullopt;
    std::string_view port = authority.substr(host_end + 1);
    if (port.empty() || port.size() > 5) return std::nullopt;
    for (char ch : port) {
      if (!std::isdigit(static_cast<unsigned char>(ch))) return std::nullopt;
    }
  }
  std::string host(authority);
  for (auto& ch : host) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
  return scheme + "://" + host;
}

}  // namespace lk::http
