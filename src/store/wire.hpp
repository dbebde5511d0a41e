// Byte-level writer and reader for value codecs (store/codec.hpp).
//
// Integers are big-endian; strings are a u32 length then the bytes; an
// optional is a presence byte (0 or 1) then the value. The Reader never reads
// past its input: the first failed read marks it failed and every later read
// returns a zero value, so a decoder reads every field, then checks done().
#pragma once

#include <array>
#include <cstdint>
#include <cstring>
#include <optional>
#include <string>
#include <string_view>

namespace lk::store::wire {

class Writer {
 public:
  void u8(std::uint8_t v) { out_.push_back(static_cast<char>(v)); }
  void u32(std::uint32_t v);
  void u64(std::uint64_t v);
  void i64(std::int64_t v) { u64(static_cast<std::uint64_t>(v)); }
  void boolean(bool v) { u8(v ? 1 : 0); }
  template <std::size_t N>
  void fixed(const std::array<std::uint8_t, N>& bytes) {
    out_.append(reinterpret_cast<const char*>(bytes.data()), N);
  }
  // Throws std::length_error past 4 GiB (a bug upstream, not representable).
  void str(std::string_view s);
  void opt_str(const std::optional<std::string>& s);
  // u32 element count of a sequence that follows.
  void count(std::size_t n) { u32(static_cast<std::uint32_t>(n)); }

  std::string take() && { return std::move(out_); }

 private:
  std::string out_;
};

class Reader {
 public:
  explicit Reader(std::string_view in) : in_(in) {}

  std::uint8_t u8();
  std::uint32_t u32();
  std::uint64_t u64();
  std::int64_t i64() { return static_cast<std::int64_t>(u64()); }
  // Only 0 and 1 are valid.
  bool boolean();
  template <std::size_t N>
  std::array<std::uint8_t, N> fixed() {
    std::array<std::uint8_t, N> out{};
    if (auto bytes = take(N)) std::memcpy(out.data(), bytes->data(), N);
    return out;
  }
  std::string str();
  std::optional<std::string> opt_str();
  // A sequence's element count; fails when the input is too short to hold
  // `count` elements of at least `min_element_size` bytes, so garbage cannot
  // make a decoder reserve gigabytes.
  std::size_t count(std::size_t min_element_size);

  bool ok() const { return ok_; }
  // Every read succeeded and the whole input was consumed.
  bool done() const { return ok_ && pos_ == in_.size(); }
  std::size_t remaining() const { return ok_ ? in_.size() - pos_ : 0; }

 private:
  std::optional<std::string_view> take(std::size_t n);
  void fail() { ok_ = false; }

  std::string_view in_;
  std::size_t pos_ = 0;
  bool ok_ = true;
};

}  // namespace lk::store::wire
