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

// The verification mail; `link` is the full URL with the token.
Message verification_message(std::string_view tenant_name, std::string_view link);

// A queue record for `to`, due now.
store::MailRecord to_record(const Id& tenant, std::string_view to, Message message, std::int64_t now_ms);

// RFC 5322 message: headers, then multipart/alternative text + HTML in UTF-8
// (8bit). Header values are stripped of CR/LF so no header can be injected.
std::string render_rfc5322(const store::MailRecord& mail, std::string_view from);

}  // namespace lk::mail
