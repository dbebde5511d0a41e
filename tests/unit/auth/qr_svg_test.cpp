#include "auth/qr_svg.hpp"

#include "crypto/encoding.hpp"

#include <doctest/doctest.h>

#include <string>

using namespace lk;

namespace {

// base64 back to bytes, for checking the data URI (tests only).
std::string base64_decode(std::string_view text) {
  static constexpr std::string_view kAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  std::uint32_t bits = 0;
  int count = 0;
  for (char c : text) {
    if (c == '=') break;
    auto v = kAlphabet.find(c);
    REQUIRE(v != std::string_view::npos);
    bits = bits << 6 | static_cast<std::uint32_t>(v);
    count += 6;
    if (count >= 8) {
      count -= 8;
      out.push_back(static_cast<char>((bits >> count) & 0xff));
    }
  }
  return out;
}

const std::string kUrl =
    "otpauth://totp/Acme:alice@x.io?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&issuer=Acme&digits=6&period=30";

}  // namespace

TEST_SUITE_BEGIN("auth.qr_svg");

TEST_CASE("the SVG has the three finder patterns inside a 4-module quiet zone") {
  auto svg = auth::qr_svg(kUrl);
  REQUIRE(svg);
  CHECK(svg->starts_with("<svg xmlns=\"http://www.w3.org/2000/svg\""));
  CHECK(svg->ends_with("</svg>"));
  // Top-left finder: its first row is a run of 7 dark modules at (4,4), and
  // its second row starts with one dark module.
  CHECK(svg->find("M4 4h7v1h-7z") != std::string::npos);
  CHECK(svg->find("M4 5h1v1h-1z") != std::string::npos);
  // The viewBox is the symbol plus 2 x 4 quiet modules; the top-right
  // finder's first row starts 7 modules before the symbol's right edge.
  auto at = svg->find("viewBox=\"0 0 ");
  REQUIRE(at != std::string::npos);
  int size = std::stoi(svg->substr(at + 13));
  int width = size - 8;
  CHECK((width - 17) % 4 == 0);  // QR widths are 21, 25, ... (17 + 4 * version)
  CHECK(svg->find("M" + std::to_string(width - 7 + 4) + " 4h7v1h-7z") != std::string::npos);
  CHECK(svg->find("M4 " + std::to_string(width - 7 + 4) + "h7v1h-7z") != std::string::npos);
}

TEST_CASE("the data URI is the base64 of the SVG") {
  auto uri = auth::qr_svg_data_uri(kUrl);
  REQUIRE(uri);
  const std::string prefix = "data:image/svg+xml;base64,";
  REQUIRE(uri->starts_with(prefix));
  CHECK(base64_decode(std::string_view(*uri).substr(prefix.size())) == *auth::qr_svg(kUrl));
}

TEST_CASE("longer text makes a larger symbol; text past QR capacity is refused") {
  auto small = auth::qr_svg("x");
  auto large = auth::qr_svg(std::string(1000, 'x'));
  REQUIRE(small);
  REQUIRE(large);
  CHECK(small->find("viewBox=\"0 0 29 29\"") != std::string::npos);  // version 1: 21 + 8
  CHECK(large->size() > small->size());
  CHECK_FALSE(auth::qr_svg(std::string(3000, 'x')));
}

TEST_SUITE_END();
