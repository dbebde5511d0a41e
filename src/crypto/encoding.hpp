// Text encodings. Decoders return nullopt on any malformed input.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace lk::crypto {

std::string base64url_encode(std::string_view bytes);  // no padding
std::optional<std::string> base64url_decode(std::string_view text);  // rejects padding and bad chars
std::string base64_encode(std::string_view bytes);  // standard, padded
std::string hex_encode(std::string_view bytes);
std::optional<std::string> hex_decode(std::string_view text);

}  // namespace lk::crypto
