#include "services/oauth_http.hpp"

#include <httplib.h>
#include <openssl/x509.h>
#include <openssl/x509_vfy.h>

#include <charconv>
#include <cstdlib>
#include <memory>

namespace lk::services {

namespace {

bool loopback_host(std::string_view host) {
  if (host == "localhost" || host == "[::1]") return true;
  // 127.0.0.0/8 written as a dotted quad.
  if (host.substr(0, 4) != "127.") return false;
  int dots = 0;
  for (char c : host) {
    if (c == '.') ++dots;
    else if (c < '0' || c > '9') return false;
  }
  return dots == 3;
}

Error provider_error(std::string internal) {
  return make_error(Errc::unauthorized, "The sign-in provider could not be reached", std::move(internal));
}

struct StoreFree {
  void operator()(X509_STORE* store) const { X509_STORE_free(store); }
};
using StorePtr = std::unique_ptr<X509_STORE, StoreFree>;

// The system's roots plus the certificates of `ca_file`. A new store per
// client: the client's SSL_CTX takes ownership of it, and cpp-httplib adds
// the default paths to whatever store the context holds, so a store shared
// between threads would be modified concurrently. The system's roots come
// in through the hashed certificate directory, which is read lazily (only
// the issuers a chain needs): X509_STORE_set_default_paths would parse the
// whole system bundle, ~35 ms of CPU here, a second time per call.
StorePtr trust_store(const std::string& ca_file) {
  StorePtr store(X509_STORE_new());
  if (!store) return nullptr;
  const char* dir = std::getenv(X509_get_default_cert_dir_env());
  if (X509_STORE_load_path(store.get(), dir ? dir : X509_get_default_cert_dir()) != 1) return nullptr;
  if (X509_STORE_load_file(store.get(), ca_file.c_str()) != 1) return nullptr;
  return store;
}

}  // namespace

std::optional<ParsedUrl> parse_provider_url(std::string_view url) {
  ParsedUrl out;
  auto sep = url.find("://");
  if (sep == std::string_view::npos) return std::nullopt;
  out.scheme = std::string(url.substr(0, sep));
  if (out.scheme != "http" && out.scheme != "https") return std::nullopt;
  std::string_view rest = url.substr(sep + 3);
  if (rest.find('#') != std::string_view::npos) return std::nullopt;
  auto path_at = rest.find_first_of("/?");
  std::string_view authority = rest.substr(0, path_at);
  out.target = path_at == std::string_view::npos ? "/" : std::string(rest.substr(path_at));
  if (out.target[0] == '?') out.target = "/" + out.target;
  // Userinfo ("user@host") hides the real host from a reader: refuse it.
  if (authority.empty() || authority.find('@') != std::string_view::npos) return std::nullopt;
  std::string_view host = authority;
  std::string_view port;
  if (authority[0] == '[') {
    auto close = authority.find(']');
    if (close == std::string_view::npos) return std::nullopt;
    host = authority.substr(0, close + 1);
    if (close + 1 < authority.size()) {
      if (authority[close + 1] != ':') return std::nullopt;
      port = authority.substr(close + 2);
    }
  } else if (auto colon = authority.find(':'); colon != std::string_view::npos) {
    host = authority.substr(0, colon);
    port = authority.substr(colon + 1);
  }
  if (host.empty()) return std::nullopt;
  for (char c : host) {
    if (static_cast<unsigned char>(c) <= ' ' || c == '/' || c == '\\') return std::nullopt;
  }
  out.host = std::string(host);
  out.port = out.scheme == "https" ? 443 : 80;
  if (!port.empty()) {
    auto [end, ec] = std::from_chars(port.data(), port.data() + port.size(), out.port);
    if (ec != std::errc() || end != port.data() + port.size() || out.port <= 0 || out.port > 65535) {
      return std::nullopt;
    }
  }
  if (out.scheme == "http" && !loopback_host(out.host)) return std::nullopt;
  return out;
}

Result<void> check_ca_file(const std::string& path) {
  StorePtr store(X509_STORE_new());
  if (!store || X509_STORE_load_file(store.get(), path.c_str()) != 1) {
    return make_error(Errc::validation_error, "--oauth-ca-file: " + path + " is not a readable PEM certificate file");
  }
  return {};
}

Result<HttpReply> provider_request(const OutboundOptions& options, std::string_view url, const HttpHeaders& headers,
                                   std::optional<std::string> form) {
  auto parsed = parse_provider_url(url);
  if (!parsed) return provider_error("provider URL refused: " + std::string(url));
  std::string base = parsed->scheme + "://" + parsed->host + ":" + std::to_string(parsed->port);
  httplib::Client client(base);
  // Certificate and host name checks are what make the client secret and
  // the tokens safe in transit; cpp-httplib's defaults are made explicit.
  // An extra CA only adds trust: verification itself is never turned off.
  if (parsed->scheme == "https") {
    client.enable_server_certificate_verification(true);
    if (!options.ca_file.empty()) {
      auto store = trust_store(options.ca_file);
      if (!store) return provider_error("cannot load --oauth-ca-file " + options.ca_file);
      client.set_ca_cert_store(store.release());
    }
  }
  auto timeout = static_cast<time_t>(options.timeout_s);
  client.set_connection_timeout(timeout, 0);
  client.set_read_timeout(timeout, 0);
  client.set_write_timeout(timeout, 0);
  client.set_follow_location(false);

  httplib::Request req;
  req.method = form ? "POST" : "GET";
  req.path = parsed->target;
  for (const auto& [name, value] : headers) req.headers.emplace(name, value);
  req.headers.emplace("User-Agent", "latchkey");
  if (form) {
    req.headers.emplace("Content-Type", "application/x-www-form-urlencoded");
    req.body = std::move(*form);
  }
  HttpReply reply;
  bool too_big = false;
  req.content_receiver = [&](const char* data, std::size_t len, std::uint64_t, std::uint64_t) {
    if (reply.body.size() + len > kOAuthMaxBody) {
      too_big = true;
      return false;
    }
    reply.body.append(data, len);
    return true;
  };
  httplib::Response res;
  httplib::Error error = httplib::Error::Success;
  if (!client.send(req, res, error)) {
    std::string why = too_big ? "body over limit" : httplib::to_string(error);
    if (error == httplib::Error::SSLServerVerification) {
      long verify = client.get_openssl_verify_result();
      why += verify != X509_V_OK ? std::string(": ") + X509_verify_cert_error_string(verify)
                                 : std::string(": the certificate does not name the host");
    }
    return provider_error(req.method + " " + parsed->host + parsed->target + ": " + why);
  }
  reply.status = res.status;
  return reply;
}

}  // namespace lk::services
