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

// A queue record for `to`, due now.
store::MailRecord to_record(const Id& tenant, std::string_view to, Message message, std::int64_t now_ms);

// RFC 5322 message: headers, then multipart/alternative text + HTML in UTF-8
// (8bit). Header values are stripped of CR/LF so no header can be injected;
// a non-ASCII subject is sent as an RFC 2047 encoded word.
std::string render_rfc5322(const store::MailRecord& mail, std::string_view from);

}  // namespace lk::mail
