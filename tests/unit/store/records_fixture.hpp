// Sample records with every field set, and field-by-field comparisons
// (records have no operator==: they are plain contracts).
#pragma once

#include "store/records.hpp"

#include <doctest/doctest.h>

#include <cstdint>

namespace lk::store::test {

inline Id id_of(std::uint8_t last, std::uint8_t first = 0x01) {
  Id id{};
  id[0] = first;
  id[15] = last;
  return id;
}

inline Hash hash_of(std::uint8_t fill) {
  Hash h{};
  h.fill(fill);
  return h;
}

inline TenantRecord full_tenant(const Id& id) {
  TenantRecord t;
  t.id = id;
  t.name = "Acme \xe2\x9c\x93";
  t.owner_email = "owner@acme.test";
  t.app_url = "https://acme.test";
  t.allowed_origins = {"https://acme.test", "http://localhost:3000", ""};
  t.dev_mode = true;
  t.api_key_hash = hash_of(0xa1);
  t.secret_key_hash = hash_of(0xb2);
  t.signing_keys = {{"kid-2", std::string(32, '\x02'), std::string("sealed\0bytes", 12), 1700000000002},
                    {"kid-1", std::string(32, '\x01'), "sealed-1", 1700000000001}};
  t.created_ms = 1700000000000;
  t.updated_ms = 1700000000500;
  t.mail_from = {"Acme \xe2\x9c\x93 Accounts", "no-reply@acme.test"};
  return t;
}

inline UserRecord full_user(const Id& id) {
  UserRecord u;
  u.id = id;
  u.email = "alice@example.test";
  u.password_hash = "$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$aGFzaA";
  u.auth_provider = "google";
  u.first_name = "Alice";
  u.last_name = "";  // present but empty is not the same as absent
  u.avatar_url = "https://img.test/a.png";
  u.email_verified = true;
  u.terms_accepted = true;
  u.two_factor_enabled = true;
  u.terms_accepted_ms = 1;
  u.last_login_ms = 2;
  u.created_ms = 3;
  u.updated_ms = 4;
  u.valid_after_ms = 5;
  u.deleted_ms = -6;
  return u;
}

inline SessionRecord full_session(const Id& user_id, const Id& session_id) {
  return SessionRecord{user_id, session_id, 10, 20, 30, hash_of(0x5e), "Mozilla/5.0 (X11)", "2001:db8::1"};
}

inline void check_same(const TenantRecord& a, const TenantRecord& b) {
  CHECK(a.id == b.id);
  CHECK(a.name == b.name);
  CHECK(a.owner_email == b.owner_email);
  CHECK(a.app_url == b.app_url);
  CHECK(a.allowed_origins == b.allowed_origins);
  CHECK(a.dev_mode == b.dev_mode);
  CHECK(a.api_key_hash == b.api_key_hash);
  CHECK(a.secret_key_hash == b.secret_key_hash);
  REQUIRE(a.signing_keys.size() == b.signing_keys.size());
  for (std::size_t i = 0; i < a.signing_keys.size(); ++i) {
    CHECK(a.signing_keys[i].kid == b.signing_keys[i].kid);
    CHECK(a.signing_keys[i].public_key == b.signing_keys[i].public_key);
    CHECK(a.signing_keys[i].sealed_private_key == b.signing_keys[i].sealed_private_key);
    CHECK(a.signing_keys[i].created_ms == b.signing_keys[i].created_ms);
  }
  CHECK(a.created_ms == b.created_ms);
  CHECK(a.updated_ms == b.updated_ms);
  CHECK(a.mail_from.name == b.mail_from.name);
  CHECK(a.mail_from.address == b.mail_from.address);
}

inline void check_same(const UserRecord& a, const UserRecord& b) {
  CHECK(a.id == b.id);
  CHECK(a.email == b.email);
  CHECK(a.password_hash == b.password_hash);
  CHECK(a.auth_provider == b.auth_provider);
  CHECK(a.first_name == b.first_name);
  CHECK(a.last_name == b.last_name);
  CHECK(a.avatar_url == b.avatar_url);
  CHECK(a.email_verified == b.email_verified);
  CHECK(a.terms_accepted == b.terms_accepted);
  CHECK(a.two_factor_enabled == b.two_factor_enabled);
  CHECK(a.terms_accepted_ms == b.terms_accepted_ms);
  CHECK(a.last_login_ms == b.last_login_ms);
  CHECK(a.created_ms == b.created_ms);
  CHECK(a.updated_ms == b.updated_ms);
  CHECK(a.valid_after_ms == b.valid_after_ms);
  CHECK(a.deleted_ms == b.deleted_ms);
}

inline void check_same(const SessionRecord& a, const SessionRecord& b) {
  CHECK(a.user_id == b.user_id);
  CHECK(a.session_id == b.session_id);
  CHECK(a.created_ms == b.created_ms);
  CHECK(a.last_seen_ms == b.last_seen_ms);
  CHECK(a.expires_ms == b.expires_ms);
  CHECK(a.current_token_hash == b.current_token_hash);
  CHECK(a.user_agent == b.user_agent);
  CHECK(a.ip == b.ip);
}

inline void check_same(const RefreshRecord& a, const RefreshRecord& b) {
  CHECK(a.expires_ms == b.expires_ms);
  CHECK(a.user_id == b.user_id);
  CHECK(a.session_id == b.session_id);
  CHECK(a.issued_ms == b.issued_ms);
  CHECK(a.consumed_ms == b.consumed_ms);
  CHECK(a.successor_hash == b.successor_hash);
}

inline void check_same(const OneTimeRecord& a, const OneTimeRecord& b) {
  CHECK(a.expires_ms == b.expires_ms);
  CHECK(a.user_id == b.user_id);
  CHECK(a.payload == b.payload);
}

inline void check_same(const MailRecord& a, const MailRecord& b) {
  CHECK(a.due_ms == b.due_ms);
  CHECK(a.id == b.id);
  CHECK(a.tenant_id == b.tenant_id);
  CHECK(a.to == b.to);
  CHECK(a.subject == b.subject);
  CHECK(a.text_body == b.text_body);
  CHECK(a.html_body == b.html_body);
  CHECK(a.attempts == b.attempts);
  CHECK(a.from.name == b.from.name);
  CHECK(a.from.address == b.from.address);
}

}  // namespace lk::store::test
