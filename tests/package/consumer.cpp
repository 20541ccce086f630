// Smallest program a user of the package writes: sign in a guest and read the
// session back. Returns 0 only if the session's user is anonymous.
#include <optional>
#include <string>

#include <anonauth/anonauth.hpp>

namespace aa = anonauth;

struct user {
  BOOST_HANA_DEFINE_STRUCT(user,
    (std::string, id), (std::string, name), (std::string, email),
    (bool, email_verified), (std::optional<std::string>, image), (bool, is_anonymous),
    (aa::timestamp, created_at), (aa::timestamp, updated_at));
};

using schema = aa::schema<aa::user_table<user>>;

#if defined(ANONAUTH_CONSUMER_SQLITE)  // the anonauth::sqlite consumer
#include <anonauth/storage/sqlite/sqlite.hpp>
using auth_type = aa::anonymous_auth<schema, aa::storage<aa::sqlite_storage>>;
#elif defined(ANONAUTH_CONSUMER_POSTGRES)  // the anonauth::postgres consumer: conninfo in argv[1]
#include <anonauth/storage/postgres/postgres.hpp>

#include <fstream>

#include <unistd.h>
using auth_type = aa::anonymous_auth<schema, aa::storage<aa::postgres_storage>>;
#else
using auth_type = aa::anonymous_auth<schema>;
#endif

int main([[maybe_unused]] int argc, [[maybe_unused]] char** argv) {
#ifdef ANONAUTH_CONSUMER_POSTGRES
  if (argc < 2) return 3;
  std::ifstream file(argv[1]);
  std::string conninfo;
  if (!std::getline(file, conninfo)) return 4;
  auth_type auth{aa::postgres_config{.conninfo = conninfo, .schema = "consumer_" + std::to_string(::getpid())}};
#else
  auth_type auth;
#endif
  auto signed_in = auth.sign_in_anonymous(aa::request_context{});
  if (!signed_in) return 1;
  auto view = auth.get_session(signed_in->token);
  return view && view->user.is_anonymous ? 0 : 2;
}
