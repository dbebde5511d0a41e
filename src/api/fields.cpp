#include "api/fields.hpp"

#include "auth/password_policy.hpp"

namespace lk::api {

std::optional<std::string> read_email(http::FieldReader& fields, std::string_view name) {
  auto raw = fields.string(name, true, 320);
  if (!raw) return std::nullopt;
  std::string email = auth::normalize_email(*raw);
  if (email.size() > auth::kMaxEmailChars) {
    fields.fail(name, "Email must be at most 254 characters");
    return std::nullopt;
  }
  if (!auth::valid_email(email)) {
    fields.fail(name, "Email is not a valid address");
    return std::nullopt;
  }
  return email;
}

std::optional<std::string> read_new_password(http::FieldReader& fields, std::string_view name,
                                             std::string_view confirm_name) {
  auto password = fields.string(name, true, kPasswordFieldChars);
  if (password) {
    if (auto problem = auth::check_password(*password)) {
      fields.fail(name, *problem);
      password.reset();
    }
  }
  if (fields.present(confirm_name)) {
    auto confirm = fields.string(confirm_name, false, kPasswordFieldChars);
    if (confirm && password && *confirm != *password) fields.fail(confirm_name, "Passwords do not match");
  }
  return password;
}

}  // namespace lk::api
