// anonauth/rate_limit/keys.hpp: the bucket keys of a client address: what counts as one client.
#pragma once

#include <arpa/inet.h>

#include <array>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string_view>

namespace anonauth::detail {

/// One bucket key: 16 bytes.
using rate_limit_key_type = std::array<std::uint8_t, 16>;

/// The key shared by every address that does not parse (all bytes 0xff). No real address maps
/// to it: IPv4 keys start with a zero byte, IPv6 prefix keys have zeros in bytes 8 to 14.
inline constexpr rate_limit_key_type unknown_rate_limit_key = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
                                                               0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff};

/// The bucket keys of one address, finest first: one, or three for IPv6 (its /64, /56, /48).
struct rate_limit_keys_type {
  std::array<rate_limit_key_type, 3> keys{};
  std::size_t count = 0;

  friend constexpr bool operator==(const rate_limit_keys_type&, const rate_limit_keys_type&) = default;
};

/// The key of an IPv4 address: its IPv4-mapped IPv6 form, ::ffff:a.b.c.d.
[[nodiscard]] inline rate_limit_keys_type ipv4_rate_limit_keys(const unsigned char* v4) noexcept {
  rate_limit_keys_type k;
  k.count = 1;
  k.keys[0][10] = 0xff;
  k.keys[0][11] = 0xff;
  std::memcpy(k.keys[0].data() + 12, v4, 4);
  return k;
}

/// The bucket keys of a textual address, exactly as inet_pton reads it (nothing is trimmed):
/// - IPv4 `a.b.c.d`: one key, the address;
/// - IPv6 that carries its client's IPv4 address counts as that address: IPv4-mapped
///   `::ffff:a.b.c.d`, NAT64 `64:ff9b::a.b.c.d` (RFC 6052), 6to4 `2002:AABB:CCDD::/48` (RFC 3056)
///   and Teredo `2001:0::/32`, whose last 32 bits are the client's address inverted (RFC 4380).
///   Otherwise one IPv4 client would get a fresh bucket for every value of the other bits;
/// - other IPv6: three keys, its /64, /56 and /48 prefixes (the prefix bits, zeros, and the
///   prefix length in the last byte, so the three differ). One host usually holds a whole /64
///   and one customer a /56 or a /48: a key per address, or per /64 alone, would give one client
///   2^64, or 65,536, buckets;
/// - IPv6 with a zone, `fe80::1%eth0`: the address without its zone (one non-empty zone);
/// - anything else, the empty string included: unknown_rate_limit_key. Unparseable addresses
///   share one bucket, so a missing or malformed address fails closed (limited together) rather
///   than open (each garbage string a fresh bucket, which would make the limit trivial to avoid).
[[nodiscard]] inline rate_limit_keys_type rate_limit_keys(std::string_view ip) noexcept {
  rate_limit_keys_type unknown;
  unknown.keys[0] = unknown_rate_limit_key;
  unknown.count = 1;

  // inet_pton wants a NUL-terminated string: copy into a buffer, no allocation. The longest
  // address text is 45 characters; longer input (and an embedded NUL, which would cut the text
  // short) is not an address.
  char text[64];
  if (ip.empty() || ip.size() >= sizeof(text) || ip.find('\0') != std::string_view::npos) return unknown;
  ip.copy(text, ip.size());
  text[ip.size()] = '\0';

  unsigned char v4[4];
  if (inet_pton(AF_INET, text, v4) == 1) return ipv4_rate_limit_keys(v4);

  if (const std::size_t zone = ip.find('%'); zone != std::string_view::npos) {
    // strict: a zone is non-empty and there is one
    if (zone + 1 == ip.size() || ip.find('%', zone + 1) != std::string_view::npos) return unknown;
    text[zone] = '\0';  // inet_pton does not take zones
  }
  unsigned char v6[16];
  if (inet_pton(AF_INET6, text, v6) != 1) return unknown;

  static constexpr unsigned char mapped_prefix[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
  static constexpr unsigned char nat64_prefix[12] = {0, 0x64, 0xff, 0x9b, 0, 0, 0, 0, 0, 0, 0, 0};
  if (std::memcmp(v6, mapped_prefix, 12) == 0 || std::memcmp(v6, nat64_prefix, 12) == 0)
    return ipv4_rate_limit_keys(v6 + 12);
  if (v6[0] == 0x20 && v6[1] == 0x02) return ipv4_rate_limit_keys(v6 + 2);  // 6to4
  if (v6[0] == 0x20 && v6[1] == 0x01 && v6[2] == 0 && v6[3] == 0) {         // Teredo
    unsigned char client[4];
    for (std::size_t i = 0; i < 4; ++i) client[i] = static_cast<unsigned char>(v6[12 + i] ^ 0xffu);
    return ipv4_rate_limit_keys(client);
  }

  rate_limit_keys_type k;
  k.count = 3;
  static constexpr std::uint8_t prefix_bits[3] = {64, 56, 48};
  for (std::size_t i = 0; i < 3; ++i) {
    std::memcpy(k.keys[i].data(), v6, prefix_bits[i] / 8);
    k.keys[i][15] = prefix_bits[i];
  }
  return k;
}

/// Which rate a key's bucket has: 0 for one address (IPv4, an IPv6 /64, unknown), 1 for an IPv6
/// /56, 2 for a /48 (the position of the key in rate_limit_keys_type).
[[nodiscard]] constexpr std::size_t rate_limit_key_class(const rate_limit_key_type& key) noexcept {
  for (std::size_t i = 8; i < 15; ++i)
    if (key[i] != 0) return 0;
  return key[15] == 56 ? 1 : key[15] == 48 ? 2 : 0;
}

}  // namespace anonauth::detail
