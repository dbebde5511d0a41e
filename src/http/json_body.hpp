// Request bodies: one synchronous simdjson On-Demand parse into a Boost.JSON
// object (every string copied out, nothing of the parser survives), and a
// reader that validates fields and names each bad one in the error details.
#pragma once

#include "core/error.hpp"

#include <boost/json/object.hpp>

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace lk::http {

// The body must be one JSON object, at most kMaxJsonDepth deep, with no
// duplicate keys. An empty body counts as {}. Errors: VALIDATION_ERROR.
[[nodiscard]] Result<boost::json::object> parse_json_object(std::string_view body);

// Typed field access. Each failed check appends to errors(); finish() turns
// them into one VALIDATION_ERROR.
class FieldReader {
 public:
  explicit FieldReader(const boost::json::object& obj) : obj_(obj) {}

  // A string field. Missing or null: nullopt (an error if required). Not a
  // string, or longer than max_chars UTF-8 code points: an error.
  std::optional<std::string> string(std::string_view name, bool required, std::size_t max_chars = 1024);
  std::optional<bool> boolean(std::string_view name, bool required);
  // Array of strings, each at most max_chars.
  std::optional<std::vector<std::string>> strings(std::string_view name, std::size_t max_items,
                                                  std::size_t max_chars);
  bool present(std::string_view name) const { return obj_.contains(name); }
  bool is_null(std::string_view name) const;

  void fail(std::string_view field, std::string message);
  const std::vector<FieldError>& errors() const { return errors_; }
  [[nodiscard]] Result<void> finish() const;

 private:
  const boost::json::object& obj_;
  std::vector<FieldError> errors_;
};

// Number of UTF-8 code points; nullopt when `s` is not valid UTF-8.
std::optional<std::size_t> utf8_length(std::string_view s);

}  // namespace lk::http
