// One mistake, one error: the link migrations forget a table with a user reference
// ([anonauth.E003]), and the rest of the program adds no error of its own.
#include "shop.hpp"

#ifdef ANONAUTH_EXPECT_FAIL
using on_link = aa::link_migrations<aa::reassign<&shop::cart_item::user_id>>;  // the wishlist forgotten
#else
using on_link = shop::full_link;
#endif
using auth_type = shop::auth_of<on_link>;

#include "exercise.hpp"

int main() { return run(); }
