// Writes JSON text straight into a string, for hot answers of a fixed shape
// (the profile): no tree is built, allocated and walked. Strings are escaped
// by Boost.JSON's serializer, so the text is what boost::json::serialize
// would write for the same values.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace lk::http {

class JsonWriter {
 public:
  explicit JsonWriter(std::string& out) : out_(out) {}

  JsonWriter& begin_object();
  JsonWriter& end_object();
  // The next member's name; its value follows.
  JsonWriter& key(std::string_view name);
  JsonWriter& string(std::string_view value);
  JsonWriter& boolean(bool value);
  JsonWriter& integer(std::int64_t value);
  JsonWriter& null();

 private:
  static constexpr int kMaxDepth = 16;
  void separate();
  void quoted(std::string_view text);
  std::string& out_;
  int depth_ = 0;
  // Per open object: nothing written in it yet. After key(), the value
  // needs no comma.
  bool empty_[kMaxDepth] = {};
  bool after_key_ = false;
};

}  // namespace lk::http
