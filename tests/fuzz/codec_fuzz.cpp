// Record codecs on arbitrary bytes (a corrupt or hostile store value): every
// decoder either refuses or yields a record whose encoding decodes and
// re-encodes to itself. Values in the current format version must re-encode
// to the input byte for byte: one encoding per record. Tenant, mail and MFA
// values may be an older version, which re-encodes as the current one.
#include "fuzz.hpp"
#include "store/codec.hpp"

using namespace lk::store;

namespace {

template <class Decode, class Encode>
void round_trip(std::string_view value, Decode decode, Encode encode, bool canonical = true) {
  auto record = decode(value);
  if (!record) return;
  std::string bytes = encode(*record);
  FUZZ_CHECK(!canonical || bytes == value);
  auto again = decode(bytes);
  FUZZ_CHECK(again && encode(*again) == bytes);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  auto value = lk::fuzz::as_text(data, size);
  round_trip(value, codec::decode_tenant, codec::encode_tenant, false);
  round_trip(value, codec::decode_user, codec::encode_user);
  round_trip(value, codec::decode_session, codec::encode_session);
  round_trip(value, codec::decode_refresh, codec::encode_refresh);
  round_trip(value, codec::decode_one_time, codec::encode_one_time);
  round_trip(value, codec::decode_mfa, codec::encode_mfa,
             !value.empty() && static_cast<std::uint8_t>(value[0]) == codec::kMfaFormatVersion);
  round_trip(value, codec::decode_mail, codec::encode_mail,
             !value.empty() && static_cast<std::uint8_t>(value[0]) == codec::kMailFormatVersion);
  round_trip(value, codec::decode_id, codec::encode_id);
  round_trip(value, codec::decode_meta, codec::encode_meta);
  if (auto expiry = codec::expiry_of(value)) {
    if (auto r = codec::decode_refresh(value)) FUZZ_CHECK(r->expires_ms == *expiry);
    if (auto r = codec::decode_one_time(value)) FUZZ_CHECK(r->expires_ms == *expiry);
  }
  return 0;
}
