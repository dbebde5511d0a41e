#include "http/json_writer.hpp"

#include <boost/json/serializer.hpp>

#include <charconv>
#include <stdexcept>

namespace lk::http {

void JsonWriter::separate() {
  if (after_key_) {
    after_key_ = false;
    return;
  }
  if (depth_ > 0) {
    if (!empty_[depth_ - 1]) out_.push_back(',');
    empty_[depth_ - 1] = false;
  }
}

void JsonWriter::quoted(std::string_view text) {
  // JSON escapes only '"', '\\' and control characters; text without them
  // (every key, nearly every value) is copied as it is. The rest takes
  // Boost.JSON's serializer, which costs ~3,000 instructions a string.
  // The scan has no early exit, so the compiler vectorises it.
  bool escaped = false;
  for (char ch : text) {
    auto c = static_cast<unsigned char>(ch);
    escaped |= (c < 0x20) | (c == '"') | (c == '\\');
  }
  if (!escaped) {
    out_.push_back('"');
    out_.append(text);
    out_.push_back('"');
    return;
  }
  boost::json::serializer sr;
  sr.reset(text);
  char buf[256];
  while (!sr.done()) {
    auto chunk = sr.read(buf, sizeof buf);
    out_.append(chunk.data(), chunk.size());
  }
}

JsonWriter& JsonWriter::begin_object() {
  separate();
  if (depth_ == kMaxDepth) throw std::logic_error("JsonWriter: nested too deep");
  out_.push_back('{');
  empty_[depth_++] = true;
  return *this;
}

JsonWriter& JsonWriter::end_object() {
  if (depth_ == 0 || after_key_) throw std::logic_error("JsonWriter: end_object without an open object");
  out_.push_back('}');
  --depth_;
  return *this;
}

JsonWriter& JsonWriter::key(std::string_view name) {
  if (depth_ == 0 || after_key_) throw std::logic_error("JsonWriter: key outside an object");
  separate();
  quoted(name);
  out_.push_back(':');
  after_key_ = true;
  return *this;
}

JsonWriter& JsonWriter::string(std::string_view value) {
  separate();
  quoted(value);
  return *this;
}

JsonWriter& JsonWriter::boolean(bool value) {
  separate();
  out_ += value ? "true" : "false";
  return *this;
}

JsonWriter& JsonWriter::integer(std::int64_t value) {
  separate();
  char buf[24];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, value);
  out_.append(buf, end);
  return *this;
}

JsonWriter& JsonWriter::null() {
  separate();
  out_ += "null";
  return *this;
}

}  // namespace lk::http
