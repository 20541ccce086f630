// One mistake, one error: a migration reassigns a column that is no user reference
// ([anonauth.E002]), and the rest of the program adds no error of its own.
#include "shop.hpp"

#ifdef ANONAUTH_EXPECT_FAIL
using on_link = aa::link_migrations<aa::reassign<&shop::cart_item::sku>, aa::reassign<&shop::wishlist_entry::owner_id>>;
#else
using on_link = shop::full_link;
#endif
using auth_type = shop::auth_of<on_link>;

#include "exercise.hpp"

int main() { return run(); }
