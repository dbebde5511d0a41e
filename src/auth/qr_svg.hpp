// A QR code as an SVG data URI, for the otpauth:// enrolment URL.
// libqrencode builds the symbol; the SVG is written here (one path of unit
// squares, black on white, with the 4-module quiet zone the standard asks).
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace lk::auth {

// The SVG document encoding `text` (byte mode, error correction level M);
// nullopt when libqrencode refuses it (too long for a QR code, or no memory).
// CPU-bound (libqrencode scores eight masks over the whole symbol): a
// coroutine on an IO thread offloads it to the cpu pool.
std::optional<std::string> qr_svg(std::string_view text);

// "data:image/svg+xml;base64," + base64(qr_svg(text)).
std::optional<std::string> qr_svg_data_uri(std::string_view text);

}  // namespace lk::auth
