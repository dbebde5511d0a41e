#include "auth/refresh_family.hpp"

namespace lk::auth {

RefreshDecision decide_refresh(const Hash& presented, const std::optional<store::RefreshRecord>& token,
                               const std::optional<store::SessionRecord>& session, std::int64_t now_ms,
                               std::int64_t grace_ms) {
  if (!token || token->expires_ms <= now_ms) return RefreshDecision::reject;
  // The family was revoked (logout, theft, password change) or belongs to
  // another user: nothing to rotate and nothing left to revoke.
  if (!session || session->user_id != token->user_id || session->session_id != token->session_id)
    return RefreshDecision::reject;
  if (session->expires_ms <= now_ms) return RefreshDecision::reject;

  if (token->consumed_ms == 0) {
    // An unused token that is not the family's newest cannot exist in a
    // healthy family; treat it as tampering.
    return session->current_token_hash == presented ? RefreshDecision::rotate : RefreshDecision::revoke;
  }
  bool is_predecessor = token->successor_hash && *token->successor_hash == session->current_token_hash;
  if (is_predecessor && now_ms - token->consumed_ms <= grace_ms) return RefreshDecision::replay;
  return RefreshDecision::revoke;
}

}  // namespace lk::auth
