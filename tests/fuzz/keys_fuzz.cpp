// Key codecs on arbitrary bytes: whatever parses rebuilds to the same key,
// and a prefix's upper bound sorts after every key with that prefix.
#include "fuzz.hpp"
#include "store/keys.hpp"

using namespace lk::store;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  auto key = lk::fuzz::as_text(data, size);
  if (auto k = keys::parse_tenant(key)) FUZZ_CHECK(keys::tenant(*k) == key);
  if (auto k = keys::parse_tenant_key(key)) FUZZ_CHECK(keys::tenant_key(*k) == key);
  if (auto k = keys::parse_user(key)) FUZZ_CHECK(keys::user(k->tenant_id, k->user_id) == key);
  if (auto k = keys::parse_user_email(key)) FUZZ_CHECK(keys::user_email(k->tenant_id, k->email) == key);
  if (auto k = keys::parse_session(key)) FUZZ_CHECK(keys::session(k->tenant_id, k->user_id, k->session_id) == key);
  if (auto k = keys::parse_refresh(key)) FUZZ_CHECK(keys::refresh(k->tenant_id, k->token_hash) == key);
  if (auto k = keys::parse_one_time(key)) FUZZ_CHECK(keys::one_time(k->tenant_id, k->kind, k->token_hash) == key);
  if (auto k = keys::parse_mfa(key)) FUZZ_CHECK(keys::mfa(k->tenant_id, k->user_id) == key);
  if (auto k = keys::parse_oauth_link(key)) {
    FUZZ_CHECK(keys::oauth_link(k->tenant_id, k->provider_hash, k->provider_user_id) == key);
  }
  if (auto k = keys::parse_mail(key)) {
    FUZZ_CHECK(keys::mail(k->due_ms, k->id) == key);
    FUZZ_CHECK(key.starts_with(keys::mail_due_prefix(k->due_ms)));
  }
  if (auto bound = keys::prefix_upper_bound(key)) {
    FUZZ_CHECK(*bound > key && !bound->starts_with(key));
    std::string longer(key);
    longer.append(4, '\xff');
    FUZZ_CHECK(*bound > longer);
  } else {
    FUZZ_CHECK(key.find_first_not_of('\xff') == std::string_view::npos);
  }
  return 0;
}
