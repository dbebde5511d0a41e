#include "http/json_body.hpp"

#include "http/limits.hpp"

#include <boost/json/array.hpp>
#include <boost/json/value.hpp>
#include <simdjson.h>

namespace lk::http {

namespace od = simdjson::ondemand;

namespace {

Error bad_json(std::string message) {
  return validation_error({FieldError{"body", std::move(message)}});
}

// Depth is checked before parsing so that a hostile body cannot drive the
// recursive conversion below deep into the stack.
bool within_depth(std::string_view body, int max_depth) {
  int depth = 0;
  bool in_string = false;
  for (std::size_t i = 0; i < body.size(); ++i) {
    char c = body[i];
    if (in_string) {
      if (c == '\\') ++i;
      else if (c == '"') in_string = false;
    } else if (c == '"') {
      in_string = true;
    } else if (c == '{' || c == '[') {
      if (++depth > max_depth) return false;
    } else if (c == '}' || c == ']') {
      --depth;
    }
  }
  return true;
}

// `duplicate` is set when an object repeats a key; parsing stops there.
simdjson::error_code convert(od::value value, boost::json::value& out, bool& duplicate);

simdjson::error_code convert_object(od::object object, boost::json::object& out, bool& duplicate) {
  for (auto field_result : object) {
    od::field field;
    if (auto ec = std::move(field_result).get(field)) return ec;
    std::string_view key;
    if (auto ec = field.unescaped_key().get(key)) return ec;
    if (out.contains(key)) {
      duplicate = true;
      return simdjson::TAPE_ERROR;
    }
    boost::json::value child;
    if (auto ec = convert(field.value(), child, duplicate)) return ec;
    out.emplace(key, std::move(child));
  }
  return simdjson::SUCCESS;
}

simdjson::error_code convert(od::value value, boost::json::value& out, bool& duplicate) {
  od::json_type type;
  if (auto ec = value.type().get(type)) return ec;
  switch (type) {
    case od::json_type::object: {
      od::object object;
      if (auto ec = value.get_object().get(object)) return ec;
      return convert_object(object, out.emplace_object(), duplicate);
    }
    case od::json_type::array: {
      od::array array;
      if (auto ec = value.get_array().get(array)) return ec;
      auto& arr = out.emplace_array();
      for (auto element : array) {
        od::value item;
        if (auto ec = std::move(element).get(item)) return ec;
        boost::json::value child;
        if (auto ec = convert(item, child, duplicate)) return ec;
        arr.push_back(std::move(child));
      }
      return simdjson::SUCCESS;
    }
    case od::json_type::string: {
      std::string_view s;
      if (auto ec = value.get_string().get(s)) return ec;
      out = boost::json::string(s);
      return simdjson::SUCCESS;
    }
    case od::json_type::number: {
      od::number_type nt;
      if (auto ec = value.get_number_type().get(nt)) return ec;
      if (nt == od::number_type::signed_integer) {
        std::int64_t i;
        if (auto ec = value.get_int64().get(i)) return ec;
        out = i;
      } else if (nt == od::number_type::unsigned_integer) {
        std::uint64_t u;
        if (auto ec = value.get_uint64().get(u)) return ec;
        out = u;
      } else {
        double d;
        if (auto ec = value.get_double().get(d)) return ec;
        out = d;
      }
      return simdjson::SUCCESS;
    }
    case od::json_type::boolean: {
      bool b;
      if (auto ec = value.get_bool().get(b)) return ec;
      out = b;
      return simdjson::SUCCESS;
    }
    case od::json_type::null: {
      bool is_null = false;
      if (auto ec = value.is_null().get(is_null)) return ec;
      if (!is_null) return simdjson::INCORRECT_TYPE;
      out = nullptr;
      return simdjson::SUCCESS;
    }
  }
  return simdjson::INCORRECT_TYPE;
}

}  // namespace

Result<boost::json::object> parse_json_object(std::string_view body) {
  std::size_t start = body.find_first_not_of(" \t\r\n");
  if (start == std::string_view::npos) return boost::json::object{};
  if (!within_depth(body, kMaxJsonDepth)) return bad_json("JSON nesting is too deep");
  if (body[start] != '{') return bad_json("Request body must be a JSON object");

  // One parser per IO thread: parsing is synchronous and nothing from it is
  // kept after this function returns.
  thread_local od::parser parser;
  simdjson::padded_string padded(body);
  od::document doc;
  if (parser.iterate(padded).get(doc)) return bad_json("Malformed JSON");
  od::object object;
  if (doc.get_object().get(object)) return bad_json("Request body must be a JSON object");
  boost::json::object out;
  bool duplicate = false;
  if (convert_object(object, out, duplicate)) {
    return bad_json(duplicate ? "Malformed JSON: duplicate key" : "Malformed JSON");
  }
  // After the object the document must be exhausted: "{} x" is not JSON.
  const char* trailing = nullptr;
  if (doc.current_location().get(trailing) != simdjson::OUT_OF_BOUNDS) {
    return bad_json("Malformed JSON: trailing content");
  }
  return out;
}

std::optional<std::size_t> utf8_length(std::string_view s) {
  if (!simdjson::validate_utf8(s.data(), s.size())) return std::nullopt;
  std::size_t n = 0;
  for (unsigned char c : s) {
    if ((c & 0xc0) != 0x80) ++n;
  }
  return n;
}

bool FieldReader::is_null(std::string_view name) const {
  auto it = obj_.find(name);
  return it != obj_.end() && it->value().is_null();
}

void FieldReader::fail(std::string_view field, std::string message) {
  errors_.push_back(FieldError{std::string(field), std::move(message)});
}

std::optional<std::string> FieldReader::string(std::string_view name, bool required, std::size_t max_chars) {
  auto it = obj_.find(name);
  if (it == obj_.end() || it->value().is_null()) {
    if (required) fail(name, std::string(name) + " is required");
    return std::nullopt;
  }
  const auto* s = it->value().if_string();
  if (!s) {
    fail(name, std::string(name) + " must be a string");
    return std::nullopt;
  }
  auto length = utf8_length(*s);
  if (!length) {
    fail(name, std::string(name) + " must be valid UTF-8");
    return std::nullopt;
  }
  if (*length > max_chars) {
    fail(name, std::string(name) + " must be at most " + std::to_string(max_chars) + " characters");
    return std::nullopt;
  }
  return std::string(s->data(), s->size());
}

std::optional<bool> FieldReader::boolean(std::string_view name, bool required) {
  auto it = obj_.find(name);
  if (it == obj_.end() || it->value().is_null()) {
    if (required) fail(name, std::string(name) + " is required");
    return std::nullopt;
  }
  if (!it->value().is_bool()) {
    fail(name, std::string(name) + " must be a boolean");
    return std::nullopt;
  }
  return it->value().get_bool();
}

std::optional<std::vector<std::string>> FieldReader::strings(std::string_view name, std::size_t max_items,
                                                             std::size_t max_chars) {
  auto it = obj_.find(name);
  if (it == obj_.end() || it->value().is_null()) return std::nullopt;
  const auto* arr = it->value().if_array();
  if (!arr || arr->size() > max_items) {
    fail(name, std::string(name) + " must be an array of at most " + std::to_string(max_items) + " strings");
    return std::nullopt;
  }
  std::vector<std::string> out;
  for (const auto& item : *arr) {
    const auto* s = item.if_string();
    auto length = s ? utf8_length(*s) : std::nullopt;
    if (!length || *length > max_chars) {
      fail(name, std::string(name) + " must contain strings of at most " + std::to_string(max_chars) + " characters");
      return std::nullopt;
    }
    out.emplace_back(s->data(), s->size());
  }
  return out;
}

Result<void> FieldReader::finish() const {
  if (errors_.empty()) return {};
  return validation_error(errors_);
}

}  // namespace lk::http
