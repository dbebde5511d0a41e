// Building mail: the messages' text and HTML, and the RFC 5322 form.
#pragma once

#include "store/records.hpp"

#include <cstdint>
#include <string>
#include <string_view>

namespace lk::mail {

struct Message {
  std::string subject;
  std::string text;
  std::string html;
};

// Escapes & < > " ' for HTML text and attribute values.
std::string html_escape(std::string_view text);

// The messages, filled from data/templates/ (mail/templates.hpp). `link` is
// the full URL with the token; `valid_for` a phrase such as "30 minutes".
Message verification_message(std::string_view tenant_name, std::string_view link);
Message reset_password_message(std::string_view tenant_name, std::string_view link, std::string_view valid_for);
// Security notice after a password change or reset.
Message password_changed_message(std::string_view tenant_name);
// To the new address: confirm the change.
Message change_email_message(std::string_view tenant_name, std::string_view link, std::string_view new_email,
                             std::string_view valid_for);
// Security notice to the old address once the change is done.
Message email_changed_message(std::string_view tenant_name, std::string_view new_email);
// After a soft delete: the restore link.
Message account_deleted_message(std::string_view tenant_name, std::string_view link, std::string_view valid_for);

// A queue record for `to` of `tenant`, due now, with the tenant's sender as
// it is now (queued mail keeps it).
store::MailRecord to_record(const store::TenantRecord& tenant, std::string_view to, Message message,
                            std::int64_t now_ms);

// A tenant's sender, checked before it is stored (callers also check the
// address with auth::valid_email). A display name must hold no control
// character (C0 with CR and LF, DEL, C1) and no bidirectional override;
// its UTF-8 is checked by the JSON reader.
bool valid_display_name(std::string_view name);
// An address that goes into a header as is: ASCII only (no SMTPUTF8), a
// dot-atom local part, a domain of letters, digits, '-' and '.'.
bool header_safe_address(std::string_view address);
// The From header value for `sender`: the address alone without a name;
// else an ASCII name as a quoted string, a non-ASCII one as RFC 2047
// encoded words, then <address>. CR and LF are dropped whatever the input.
std::string from_header(const store::MailSender& sender);

// RFC 5322 message: headers, then multipart/alternative text + HTML in UTF-8
// (8bit). From is the mail's own sender (its tenant's), else `default_from`
// (the server's --mail-from). Header values are stripped of CR/LF so no
// header can be injected; a non-ASCII subject is sent as RFC 2047 words.
std::string render_rfc5322(const store::MailRecord& mail, std::string_view default_from);

}  // namespace lk::mail
