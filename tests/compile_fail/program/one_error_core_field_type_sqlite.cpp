// One mistake, one error: the user row's email_verified is an int, not the bool of Better Auth's
// user table ([anonauth.E010]). The program's calls, written against its own user row, add no
// error of their own: the host still names that row, and its operations are not instantiated.
#ifdef ANONAUTH_EXPECT_FAIL
#define SHOP_EMAIL_VERIFIED int
#endif
#include "shop.hpp"

using auth_type = shop::auth_of<>;
#include "exercise.hpp"

int main() { return run(); }
