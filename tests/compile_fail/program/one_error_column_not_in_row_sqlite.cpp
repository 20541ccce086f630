// One mistake, one error: the cart table maps a member of the wishlist's row to a column
// ([anonauth.E017]). Without it, the program runs on SQLite with the cart's user reference
// stored in a column "owner".
#ifdef ANONAUTH_EXPECT_FAIL
#define SHOP_CART_ENTRIES aa::user_ref<&cart_item::user_id>, aa::column<&wishlist_entry::owner_id, "owner">
#else
#define SHOP_CART_ENTRIES aa::user_ref<&cart_item::user_id>, aa::column<&cart_item::user_id, "owner">
#endif
#include "shop.hpp"

using auth_type = shop::auth_of<>;
#include "exercise.hpp"

int main() { return run(); }
