#include "mail/smtp.hpp"

#include "core/log.hpp"

#include <curl/curl.h>
#include <dlfcn.h>

#include <algorithm>
#include <cctype>
#include <cstring>
#include <memory>
#include <optional>

namespace lk::mail {

namespace {

constexpr long kConnectTimeoutS = 10;
// Our messages are a few KiB; a minute covers a slow server, and bounds how
// long a shutdown can wait for an attempt in flight (it is also cancelled).
constexpr long kTransferTimeoutS = 60;

Error bad_url(std::string_view why) { return make_error(Errc::validation_error, "--mail: " + std::string(why)); }

// RFC 3986 percent-decoding for the userinfo ('+' stays '+'). Control
// characters are refused: they have no place in a user name or password.
std::optional<std::string> decode_userinfo(std::string_view text) {
  std::string out;
  for (std::size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (c == '%') {
      if (i + 2 >= text.size() || !std::isxdigit(static_cast<unsigned char>(text[i + 1])) ||
          !std::isxdigit(static_cast<unsigned char>(text[i + 2]))) {
        return std::nullopt;
      }
      c = static_cast<char>(std::stoi(std::string(text.substr(i + 1, 2)), nullptr, 16));
      i += 2;
    }
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) return std::nullopt;
    out.push_back(c);
  }
  return out;
}

bool valid_host_char(char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '-' || c == '_'; }

// host, host:port, [v6], [v6]:port; nullopt when malformed.
bool valid_authority(std::string_view a) {
  std::string_view port;
  if (a.starts_with('[')) {
    std::size_t close = a.find(']');
    if (close == std::string_view::npos || close == 1) return false;
    for (char c : a.substr(1, close - 1)) {
      if (!std::isxdigit(static_cast<unsigned char>(c)) && c != ':' && c != '.') return false;
    }
    std::string_view after = a.substr(close + 1);
    if (!after.empty() && !after.starts_with(':')) return false;
    port = after.empty() ? after : after.substr(1);
    if (!after.empty() && port.empty()) return false;
  } else {
    std::size_t colon = a.find(':');
    std::string_view host = a.substr(0, colon);
    if (host.empty() || !std::all_of(host.begin(), host.end(), valid_host_char)) return false;
    if (colon != std::string_view::npos) {
      port = a.substr(colon + 1);
      if (port.empty()) return false;
    }
  }
  if (port.empty()) return true;
  if (port.size() > 5 || !std::all_of(port.begin(), port.end(), [](char c) { return c >= '0' && c <= '9'; }))
    return false;
  int n = std::stoi(std::string(port));
  return n >= 1 && n <= 65535;
}

bool is_tls_failure(int code) {
  return code == CURLE_USE_SSL_FAILED || code == CURLE_SSL_CONNECT_ERROR || code == CURLE_PEER_FAILED_VERIFICATION ||
         code == CURLE_SSL_CERTPROBLEM || code == CURLE_SSL_CIPHER || code == CURLE_SSL_CACERT_BADFILE;
}

bool is_transport_failure(int code) {
  return code == CURLE_COULDNT_RESOLVE_HOST || code == CURLE_COULDNT_CONNECT || code == CURLE_OPERATION_TIMEDOUT ||
         code == CURLE_GOT_NOTHING || code == CURLE_RECV_ERROR || code == CURLE_ABORTED_BY_CALLBACK;
}

struct Upload {
  const std::string* data;
  std::size_t pos = 0;
};

std::size_t read_message(char* buffer, std::size_t size, std::size_t count, void* user) {
  auto* up = static_cast<Upload*>(user);
  std::size_t n = std::min(size * count, up->data->size() - up->pos);
  std::memcpy(buffer, up->data->data() + up->pos, n);
  up->pos += n;
  return n;
}

int check_cancel(void* user, curl_off_t, curl_off_t, curl_off_t, curl_off_t) {
  return static_cast<const std::atomic<bool>*>(user)->load() ? 1 : 0;
}

// libcurl is loaded on first use instead of linked: its dependency tree
// (GnuTLS, Kerberos, LDAP, libssh2, ... about 25 libraries) cost ~5 ms of
// every process start in the dynamic loader, and only a server started with
// --mail smtp:// ever calls it. The SONAME is libcurl's stable ABI.
constexpr const char* kCurlLibrary = "libcurl.so.4";

struct CurlApi {
  decltype(&::curl_global_init) global_init = nullptr;
  decltype(&::curl_easy_init) easy_init = nullptr;
  // curl_easy_setopt's own signature. Without the header's type-checking
  // macro, each value must have the type the option documents (long, not int).
  CURLcode (*easy_setopt)(CURL*, CURLoption, ...) = nullptr;
  decltype(&::curl_easy_perform) easy_perform = nullptr;
  decltype(&::curl_easy_getinfo) easy_getinfo = nullptr;
  decltype(&::curl_easy_strerror) easy_strerror = nullptr;
  decltype(&::curl_easy_cleanup) easy_cleanup = nullptr;
  decltype(&::curl_slist_append) slist_append = nullptr;
  decltype(&::curl_slist_free_all) slist_free_all = nullptr;
  std::string error;  // why loading failed; empty when every symbol resolved
};

template <class F>
bool resolve(void* lib, const char* name, F& out, std::string& error) {
  out = reinterpret_cast<F>(::dlsym(lib, name));
  if (!out && error.empty()) error = std::string("cannot resolve ") + name + " in " + kCurlLibrary;
  return out != nullptr;
}

// Loads libcurl and runs curl_global_init once per process (thread-safe:
// a function-local static). The handle is never closed.
const CurlApi& curl_api() {
  static const CurlApi api = [] {
    CurlApi a;
    void* lib = ::dlopen(kCurlLibrary, RTLD_NOW | RTLD_LOCAL);
    if (!lib) {
      const char* why = ::dlerror();
      a.error = std::string("cannot load ") + kCurlLibrary + ": " + (why ? why : "unknown error");
      return a;
    }
    resolve(lib, "curl_global_init", a.global_init, a.error);
    resolve(lib, "curl_easy_init", a.easy_init, a.error);
    resolve(lib, "curl_easy_setopt", a.easy_setopt, a.error);
    resolve(lib, "curl_easy_perform", a.easy_perform, a.error);
    resolve(lib, "curl_easy_getinfo", a.easy_getinfo, a.error);
    resolve(lib, "curl_easy_strerror", a.easy_strerror, a.error);
    resolve(lib, "curl_easy_cleanup", a.easy_cleanup, a.error);
    resolve(lib, "curl_slist_append", a.slist_append, a.error);
    resolve(lib, "curl_slist_free_all", a.slist_free_all, a.error);
    if (a.error.empty() && a.global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) a.error = "curl_global_init failed";
    return a;
  }();
  return api;
}

struct CurlFree {
  void operator()(CURL* h) const { curl_api().easy_cleanup(h); }
  void operator()(curl_slist* l) const { curl_api().slist_free_all(l); }
};

}  // namespace

Result<SmtpTarget> parse_smtp_url(std::string_view url) {
  SmtpTarget t;
  std::string_view rest;
  std::string scheme;
  if (url.starts_with("smtp://")) {
    scheme = "smtp://";
  } else if (url.starts_with("smtps://")) {
    scheme = "smtps://";
    t.implicit_tls = t.require_tls = true;
  } else {
    return bad_url("expected smtp://[user:pass@]host[:port] or smtps://...");
  }
  rest = url.substr(scheme.size());
  std::string_view query;
  if (std::size_t q = rest.find('?'); q != std::string_view::npos) {
    query = rest.substr(q + 1);
    rest = rest.substr(0, q);
  }
  std::string_view authority = rest.substr(0, rest.find('/'));
  std::string_view path = rest.substr(authority.size());
  if (std::size_t at = authority.rfind('@'); at != std::string_view::npos) {
    std::string_view userinfo = authority.substr(0, at);
    authority = authority.substr(at + 1);
    std::size_t colon = userinfo.find(':');
    auto user = decode_userinfo(userinfo.substr(0, colon));
    auto pass = decode_userinfo(colon == std::string_view::npos ? "" : userinfo.substr(colon + 1));
    if (!user || !pass || user->empty()) return bad_url("malformed user:password part");
    t.user = std::move(*user);
    t.password = std::move(*pass);
  }
  if (!valid_authority(authority)) return bad_url("expected a host name or address and an optional port 1..65535");
  // A path names the host for EHLO (libcurl's convention); nothing else.
  if (path.size() > 1 && !std::all_of(path.begin() + 1, path.end(), valid_host_char)) {
    return bad_url("the path may only hold the EHLO host name");
  }
  if (query == "starttls=require") {
    t.require_tls = true;
  } else if (!query.empty() && query != "starttls=try") {
    return bad_url("the only query parameter is starttls=require (or starttls=try, the default)");
  }
  t.url = scheme + std::string(authority) + std::string(path);
  return t;
}

std::string envelope_address(std::string_view from) {
  std::size_t open = from.rfind('<');
  std::size_t close = from.rfind('>');
  if (open != std::string_view::npos && close != std::string_view::npos && open < close) {
    return std::string(from.substr(open + 1, close - open - 1));
  }
  while (!from.empty() && std::isspace(static_cast<unsigned char>(from.front()))) from.remove_prefix(1);
  while (!from.empty() && std::isspace(static_cast<unsigned char>(from.back()))) from.remove_suffix(1);
  return std::string(from);
}

Delivery classify(int curl_code, long smtp_code) {
  Delivery d;
  d.smtp_code = smtp_code;
  if (curl_code == CURLE_OK) {
    d.outcome = Outcome::delivered;
    return d;
  }
  // 530 (authentication required) and 535 (authentication failed) are about
  // us, not the message: fix the configuration and everything still goes out.
  bool ours = curl_code == CURLE_LOGIN_DENIED || is_tls_failure(curl_code) || smtp_code == 530 || smtp_code == 535;
  if (smtp_code >= 500 && smtp_code < 600 && !ours) {
    d.outcome = Outcome::rejected;
    return d;
  }
  d.outcome = Outcome::retry;
  d.server_down = ours || smtp_code == 0 || smtp_code == 421 || is_transport_failure(curl_code);
  return d;
}

SmtpClient::SmtpClient(SmtpTarget target) : target_(std::move(target)) {
  // Loaded here, at start-up, so that a missing libcurl is in the log at
  // once rather than at the first mail.
  if (const auto& api = curl_api(); !api.error.empty()) {
    log::error("SMTP delivery unavailable: mail stays queued", {{"reason", api.error}});
  }
}

Delivery SmtpClient::send(std::string_view envelope_from, std::string_view to, const std::string& message,
                          const std::atomic<bool>& cancel) const {
  // A fresh handle (and connection) per message: simple, and no state from a
  // refused message can leak into the next. Our volume does not need reuse.
  const CurlApi& api = curl_api();
  if (!api.error.empty()) return Delivery{Outcome::retry, true, 0, api.error};
  std::unique_ptr<CURL, CurlFree> h(api.easy_init());
  if (!h) return Delivery{Outcome::retry, true, 0, "curl_easy_init failed"};
  std::string from = "<" + std::string(envelope_from) + ">";
  std::string rcpt = "<" + std::string(to) + ">";
  std::unique_ptr<curl_slist, CurlFree> rcpts(api.slist_append(nullptr, rcpt.c_str()));
  if (!rcpts) return Delivery{Outcome::retry, true, 0, "out of memory"};
  Upload upload{&message};
  char errors[CURL_ERROR_SIZE] = {0};

  CURL* c = h.get();
  api.easy_setopt(c, CURLOPT_URL, target_.url.c_str());
  api.easy_setopt(c, CURLOPT_PROTOCOLS_STR, "smtp,smtps");
  if (!target_.user.empty()) {
    api.easy_setopt(c, CURLOPT_USERNAME, target_.user.c_str());
    api.easy_setopt(c, CURLOPT_PASSWORD, target_.password.c_str());
  }
  // STARTTLS whenever the server offers it; with require_tls a server that
  // does not is refused (CURLE_USE_SSL_FAILED) rather than sent plain text.
  // Certificates are verified (libcurl's default, left on).
  api.easy_setopt(c, CURLOPT_USE_SSL, static_cast<long>(target_.require_tls ? CURLUSESSL_ALL : CURLUSESSL_TRY));
  api.easy_setopt(c, CURLOPT_MAIL_FROM, from.c_str());
  api.easy_setopt(c, CURLOPT_MAIL_RCPT, rcpts.get());
  api.easy_setopt(c, CURLOPT_UPLOAD, 1L);
  api.easy_setopt(c, CURLOPT_READFUNCTION, read_message);
  api.easy_setopt(c, CURLOPT_READDATA, &upload);
  api.easy_setopt(c, CURLOPT_INFILESIZE_LARGE, static_cast<curl_off_t>(message.size()));
  api.easy_setopt(c, CURLOPT_CONNECTTIMEOUT, kConnectTimeoutS);
  api.easy_setopt(c, CURLOPT_TIMEOUT, kTransferTimeoutS);
  api.easy_setopt(c, CURLOPT_NOSIGNAL, 1L);  // we are multi-threaded
  api.easy_setopt(c, CURLOPT_ERRORBUFFER, errors);
  api.easy_setopt(c, CURLOPT_NOPROGRESS, 0L);
  api.easy_setopt(c, CURLOPT_XFERINFOFUNCTION, check_cancel);
  api.easy_setopt(c, CURLOPT_XFERINFODATA, const_cast<std::atomic<bool>*>(&cancel));

  CURLcode rc = api.easy_perform(c);
  long code = 0;
  api.easy_getinfo(c, CURLINFO_RESPONSE_CODE, &code);
  Delivery d = classify(rc, code);
  if (rc != CURLE_OK) d.detail = errors[0] ? errors : api.easy_strerror(rc);
  return d;
}

}  // namespace lk::mail
