#include "core/ids.hpp"

namespace lk {

Id make_uuid_v7(std::int64_t unix_ms, std::span<const std::uint8_t, 10> random) {
  Id id{};
  auto ms = static_cast<std::uint64_t>(unix_ms);
  for (int i = 0; i < 6; ++i) id[i] = static_cast<std::uint8_t>(ms >> (8 * (5 - i)));
  for (int i = 0; i < 10; ++i) id[6 + i] = random[i];
  id[6] = static_cast<std::uint8_t>(0x70 | (id[6] & 0x0f));
  id[8] = static_cast<std::uint8_t>(0x80 | (id[8] & 0x3f));
  return id;
}

std::string_view to_string_view(const Id& id, char (&out)[36]) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::size_t o = 0;
  for (std::size_t i = 0; i < id.size(); ++i) {
    if (i == 4 || i == 6 || i == 8 || i == 10) out[o++] = '-';
    out[o++] = kHex[id[i] >> 4];
    out[o++] = kHex[id[i] & 0x0f];
  }
  return std::string_view(out, sizeof out);
}

std::string to_string(const Id& id) {
  char out[36];
  return std::string(to_string_view(id, out));
}

namespace {
int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}
}  // namespace

std::optional<Id> parse_uuid(std::string_view text) {
  if (text.size() != 36) return std::nullopt;
  Id id{};
  std::size_t out = 0;
  for (std::size_t i = 0; i < text.size();) {
    if (i == 8 || i == 13 || i == 18 || i == 23) {
      if (text[i] != '-') return std::nullopt;
      ++i;
      continue;
    }
    int hi = hex_value(text[i]);
    int lo = hex_value(text[i + 1]);
    if (hi < 0 || lo < 0) return std::nullopt;
    id[out++] = static_cast<std::uint8_t>(hi << 4 | lo);
    i += 2;
  }
  return id;
}

std::string_view as_view(const Id& id) {
  return {reinterpret_cast<const char*>(id.data()), id.size()};
}

std::string_view as_view(const Hash& h) {
  return {reinterpret_cast<const char*>(h.data()), h.size()};
}

}  // namespace lk
