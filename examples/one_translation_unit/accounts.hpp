// accounts.hpp: what the rest of the shop sees of its accounts. It names no schema, no policy and
// no aa::anonymous_auth, only anonauth's small value types, so a file that includes it compiles
// in a fraction of the time; accounts.cpp is the one file that instantiates the auth.
#pragma once

#include <anonauth/core/result.hpp>  // aa::result, aa::error: the standard library only
#include <anonauth/core/types.hpp>   // aa::request_context

#include <cstddef>
#include <memory>
#include <string>

namespace shop {

/// A signed-in visitor, as the shop needs it.
struct visitor {
  std::string token;  // for the session cookie
  std::string user_id;
  std::string email;
  bool guest = false;
};

/// Guest accounts that become real ones, carrying their cart over.
class accounts {
 public:
  accounts();
  ~accounts();  // defined in accounts.cpp, where impl is a complete type
  accounts(const accounts&) = delete;
  accounts& operator=(const accounts&) = delete;

  anonauth::result<visitor> start_as_guest(const anonauth::request_context& request);
  /// Links the guest whose session the request carries, if any.
  anonauth::result<visitor> sign_up(const std::string& email, const std::string& password,
                                    const anonauth::request_context& request);
  void add_to_cart(const std::string& user_id, const std::string& sku);
  [[nodiscard]] std::size_t cart_size(const std::string& user_id) const;

 private:
  struct impl;  // holds the aa::anonymous_auth, defined in accounts.cpp
  std::unique_ptr<impl> impl_;
};

}  // namespace shop
