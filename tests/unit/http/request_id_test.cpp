#include "http/request_id.hpp"

#include "core/ids.hpp"

#include <doctest/doctest.h>

#include <set>
#include <string>
#include <thread>
#include <vector>

using namespace lk;
using namespace lk::http;

TEST_CASE("request id: a plain client id is echoed") {
  CHECK(request_id_from("abc-123_x.y:z") == "abc-123_x.y:z");
  CHECK(request_id_from(std::string(128, 'a')) == std::string(128, 'a'));
}

TEST_CASE("request id: an empty, long or unsafe client id is replaced by a fresh one") {
  for (std::string given : {std::string(), std::string(129, 'a'), std::string("a b"), std::string("a\r\nb"),
                            std::string("a\"b"), std::string("caf\xc3\xa9")}) {
    CAPTURE(given);
    auto id = request_id_from(given);
    CHECK(id != given);
    CHECK(parse_uuid(id).has_value());
  }
  CHECK(parse_uuid(request_id_from(std::nullopt)).has_value());
}

TEST_CASE("request id: minted ids are UUIDv7, distinct, across buffer refills and threads") {
  std::set<std::string> seen;
  std::vector<std::string> ids;
  // 1,000 ids per thread cross the 4 KiB buffer (409 ids) twice.
  auto mint = [](std::vector<std::string>& out) {
    for (int i = 0; i < 1000; ++i) out.push_back(new_request_id());
  };
  std::vector<std::string> a, b;
  std::thread ta(mint, std::ref(a)), tb(mint, std::ref(b));
  ta.join();
  tb.join();
  mint(ids);
  for (auto* list : {&a, &b, &ids}) {
    for (const auto& id : *list) {
      auto parsed = parse_uuid(id);
      REQUIRE(parsed.has_value());
      int version = (*parsed)[6] >> 4;
      int variant = (*parsed)[8] & 0xc0;
      CHECK(version == 7);
      CHECK(variant == 0x80);  // RFC 9562 variant
      CHECK(seen.insert(id).second);
    }
  }
  CHECK(seen.size() == 3000);
}
