// Shared by the libFuzzer targets: input splitting and a check that crashes
// (libFuzzer saves the input of any crash; assert() vanishes under NDEBUG).
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string_view>
#include <vector>

#define FUZZ_CHECK(cond)                                                         \
  do {                                                                           \
    if (!(cond)) {                                                               \
      std::fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, #cond); \
      std::abort();                                                              \
    }                                                                            \
  } while (0)

namespace lk::fuzz {

inline std::string_view as_text(const std::uint8_t* data, std::size_t size) {
  return {reinterpret_cast<const char*>(data), size};
}

// The input cut at its first `parts - 1` newlines; missing parts are empty.
// Lets one input carry several fields (peer, header, ...) that the fuzzer
// mutates independently.
inline std::vector<std::string_view> split(std::string_view in, std::size_t parts) {
  std::vector<std::string_view> out;
  for (std::size_t i = 0; i + 1 < parts; ++i) {
    std::size_t nl = in.find('\n');
    out.push_back(in.substr(0, nl));
    in = nl == std::string_view::npos ? std::string_view{} : in.substr(nl + 1);
  }
  out.push_back(in);
  return out;
}

}  // namespace lk::fuzz
