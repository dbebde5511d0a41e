// The "oauth" object of tenant create and PATCH (API.md, tenants).
#pragma once

#include "http/json_body.hpp"
#include "services/oauth_config.hpp"
#include "services/tenants.hpp"
#include "store/records.hpp"

#include <boost/json/object.hpp>

#include <optional>
#include <vector>

namespace lk::api {

// Reads body["oauth"] when present: {"<id>": {type?, clientId, clientSecret,
// issuer?, authorizeUrl?, tokenUrl?, apiUrl?, redirectUri?}, ...}, at most
// 20 providers, completed with defaults (services::complete_provider).
// Problems are recorded in `fields`; nullopt when absent or invalid.
std::optional<std::vector<services::OAuthProviderInput>> read_oauth_settings(const boost::json::object& body,
                                                                            http::FieldReader& fields);

// Reads body["oauth"] of a PATCH into `patch`: null removes every provider;
// an object maps ids to null (remove that provider) or to the fields to
// change (as at creation; a null URL field means its default). Syntax only:
// services::apply_provider_patches merges and checks the result.
void read_oauth_patch(const boost::json::object& body, http::FieldReader& fields, services::TenantPatch& patch);

// The tenant's providers for an admin response: never the client secret.
boost::json::object oauth_settings_json(const store::TenantRecord& tenant);

}  // namespace lk::api
