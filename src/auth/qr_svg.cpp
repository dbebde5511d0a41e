#include "auth/qr_svg.hpp"

#include "crypto/encoding.hpp"

#include <qrencode.h>

#include <memory>

namespace lk::auth {

namespace {

constexpr int kQuietZone = 4;
// Rendered size hint: scanners cope with any size; this one is legible
// on a phone-facing screen without scaling.
constexpr int kPixels = 256;

struct QrFree {
  void operator()(QRcode* q) const { QRcode_free(q); }
};

}  // namespace

std::optional<std::string> qr_svg(std::string_view text) {
  // Byte mode takes the bytes as they are; level M survives a smudged
  // screen or a partly covered printout. Version 0: the smallest that fits.
  if (text.size() > 4096) return std::nullopt;
  std::unique_ptr<QRcode, QrFree> qr(QRcode_encodeData(
      static_cast<int>(text.size()), reinterpret_cast<const unsigned char*>(text.data()), 0, QR_ECLEVEL_M));
  if (!qr) return std::nullopt;
  const int width = qr->width;
  const int size = width + 2 * kQuietZone;
  std::string path;
  // One subpath per horizontal run of dark modules keeps the document small.
  for (int y = 0; y < width; ++y) {
    for (int x = 0; x < width;) {
      if (!(qr->data[y * width + x] & 1)) {
        ++x;
        continue;
      }
      int run = 1;
      while (x + run < width && (qr->data[y * width + x + run] & 1)) ++run;
      path += "M" + std::to_string(x + kQuietZone) + " " + std::to_string(y + kQuietZone) + "h" + std::to_string(run) +
              "v1h-" + std::to_string(run) + "z";
      x += run;
    }
  }
  std::string n = std::to_string(size);
  std::string px = std::to_string(kPixels);
  return "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"" + px + "\" height=\"" + px + "\" viewBox=\"0 0 " + n +
         " " + n + "\" shape-rendering=\"crispEdges\"><rect width=\"" + n + "\" height=\"" + n +
         "\" fill=\"#fff\"/><path fill=\"#000\" d=\"" + path + "\"/></svg>";
}

std::optional<std::string> qr_svg_data_uri(std::string_view text) {
  auto svg = qr_svg(text);
  if (!svg) return std::nullopt;
  return "data:image/svg+xml;base64," + crypto::base64_encode(*svg);
}

}  // namespace lk::auth
