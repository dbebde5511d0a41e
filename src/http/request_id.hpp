// X-Request-Id: echo a client's id when it is plain, else mint a UUIDv7.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace lk::http {

// The client's id when it is 1..128 characters of [A-Za-z0-9-_.:] (so it
// cannot inject into headers or logs), else new_request_id().
std::string request_id_from(std::optional<std::string_view> given);

// A fresh UUIDv7 (lower-case 8-4-4-4-12) for the current millisecond. Its
// random bits come from the CSPRNG through a per-thread 4 KiB buffer:
// RAND_bytes costs ~6,700 instructions per call whatever the length (a
// tenth of a /health request), and a request id is an identifier, not a
// secret. Thread-safe; never blocks.
std::string new_request_id();

}  // namespace lk::http
