#include "store/wire.hpp"

#include <limits>
#include <stdexcept>

namespace lk::store::wire {

void Writer::u32(std::uint32_t v) {
  for (int shift = 24; shift >= 0; shift -= 8) out_.push_back(static_cast<char>(v >> shift));
}

void Writer::u64(std::uint64_t v) {
  for (int shift = 56; shift >= 0; shift -= 8) out_.push_back(static_cast<char>(v >> shift));
}

void Writer::str(std::string_view s) {
  // Unreachable through the API (request bodies are capped far lower); a
  // silently wrapped length would corrupt the record, so treat it as a bug.
  if (s.size() > std::numeric_limits<std::uint32_t>::max()) throw std::length_error("wire: string over 4 GiB");
  u32(static_cast<std::uint32_t>(s.size()));
  out_.append(s);
}

void Writer::opt_str(const std::optional<std::string>& s) {
  boolean(s.has_value());
  if (s) str(*s);
}

std::optional<std::string_view> Reader::take(std::size_t n) {
  if (!ok_ || in_.size() - pos_ < n) {
    fail();
    return std::nullopt;
  }
  auto out = in_.substr(pos_, n);
  pos_ += n;
  return out;
}

std::uint8_t Reader::u8() {
  auto b = take(1);
  return b ? static_cast<std::uint8_t>((*b)[0]) : 0;
}

std::uint32_t Reader::u32() {
  auto b = take(4);
  if (!b) return 0;
  std::uint32_t v = 0;
  for (char c : *b) v = v << 8 | static_cast<std::uint8_t>(c);
  return v;
}

std::uint64_t Reader::u64() {
  auto b = take(8);
  if (!b) return 0;
  std::uint64_t v = 0;
  for (char c : *b) v = v << 8 | static_cast<std::uint8_t>(c);
  return v;
}

bool Reader::boolean() {
  std::uint8_t v = u8();
  if (v > 1) fail();
  return v == 1;
}

std::string Reader::str() {
  std::uint32_t n = u32();
  auto b = take(n);
  return b ? std::string(*b) : std::string();
}

std::optional<std::string> Reader::opt_str() {
  if (!boolean()) return std::nullopt;
  return str();
}

std::size_t Reader::count(std::size_t min_element_size) {
  std::size_t n = u32();
  if (min_element_size > 0 && n > remaining() / min_element_size) {
    fail();
    return 0;
  }
  return n;
}

}  // namespace lk::store::wire
