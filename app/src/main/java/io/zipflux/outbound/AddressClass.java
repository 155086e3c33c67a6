package io.zipflux.outbound;

import java.net.Inet6Address;
import java.net.InetAddress;

import io.netty.util.NetUtil;

/**
 * What kind of address an IP address is, from its bytes alone (no lookup, no connection). IPv6 forms
 * that carry an IPv4 address (mapped {@code ::ffff:a.b.c.d}, translated {@code ::ffff:0:a.b.c.d},
 * compatible {@code ::a.b.c.d}, NAT64 {@code 64:ff9b::/96} and {@code 64:ff9b:1::/48}, 6to4
 * {@code 2002::/16}) are classified by the IPv4 address they carry (its last 32 bits, or 6to4's bits 16-48).
 */
public enum AddressClass {

    PUBLIC("a public address"),
    LOOPBACK("a loopback address"),
    PRIVATE("a private address"),
    LINK_LOCAL("a link-local address"),
    UNIQUE_LOCAL("an IPv6 unique-local address"),
    MULTICAST("a multicast address"),
    UNSPECIFIED("an unspecified address"),
    RESERVED("a reserved address");

    private final String description;

    AddressClass(String description) {
        this.description = description;
    }

    /** "a loopback address", for messages. */
    public String description() {
        return description;
    }

    public static AddressClass of(InetAddress address) {
        byte[] bytes = address.getAddress();
        return address instanceof Inet6Address ? ofIpv6(bytes) : ofIpv4(bytes);
    }

    private static AddressClass ofIpv4(byte[] b) {
        int first = b[0] & 0xff;
        int second = b[1] & 0xff;
        if (first == 0) {
            return UNSPECIFIED; // 0.0.0.0/8, "this network"
        }
        if (first == 127) {
            return LOOPBACK;
        }
        if (first == 10 || first == 172 && (second & 0xf0) == 16 || first == 192 && second == 168
                || first == 100 && (second & 0xc0) == 64) {
            return PRIVATE; // RFC 1918, and 100.64.0.0/10 (carrier-grade NAT)
        }
        if (first == 169 && second == 254) {
            return LINK_LOCAL; // 169.254.169.254, the cloud metadata address, among them
        }
        if ((first & 0xf0) == 224) {
            return MULTICAST;
        }
        if ((first & 0xf0) == 240 || first == 192 && second == 0 && (b[2] == 0 || b[2] == 2)
                || first == 198 && (second & 0xfe) == 18 || first == 198 && second == 51 && (b[2] & 0xff) == 100
                || first == 203 && second == 0 && (b[2] & 0xff) == 113) {
            return RESERVED; // 240/4 and broadcast, IETF protocol, documentation and benchmarking ranges
        }
        return PUBLIC;
    }

    private static AddressClass ofIpv6(byte[] b) {
        byte[] embedded = embeddedIpv4(b);
        if (embedded != null) {
            return ofIpv4(embedded);
        }
        int first = b[0] & 0xff;
        int second = b[1] & 0xff;
        if (isZero(b, 0, 15)) {
            return b[15] == 0 ? UNSPECIFIED : b[15] == 1 ? LOOPBACK : RESERVED;
        }
        if (first == 0xff) {
            return MULTICAST;
        }
        if (first == 0xfe && (second & 0xc0) == 0x80) {
            return LINK_LOCAL;
        }
        if (first == 0xfe && (second & 0xc0) == 0xc0) {
            return PRIVATE; // fec0::/10, the deprecated site-local range
        }
        if ((first & 0xfe) == 0xfc) {
            return UNIQUE_LOCAL;
        }
        if (first == 0x20 && second == 0x01 && (b[2] & 0xff) == 0x0d && (b[3] & 0xff) == 0xb8) {
            return RESERVED; // 2001:db8::/32, documentation
        }
        return PUBLIC;
    }

    /** The IPv4 address an IPv6 address carries, or null. */
    private static byte[] embeddedIpv4(byte[] b) {
        boolean mapped = isZero(b, 0, 10) && (b[10] & 0xff) == 0xff && (b[11] & 0xff) == 0xff;
        boolean compatible = isZero(b, 0, 12) && !isZero(b, 12, 15);
        boolean translated = isZero(b, 0, 8) && (b[8] & 0xff) == 0xff && (b[9] & 0xff) == 0xff && isZero(b, 10, 12);
        boolean nat64 = b[0] == 0 && (b[1] & 0xff) == 0x64 && (b[2] & 0xff) == 0xff && (b[3] & 0xff) == 0x9b
                && (isZero(b, 4, 12) || b[4] == 0 && b[5] == 1); // 64:ff9b::/96, and 64:ff9b:1::/48 (local use)
        if (mapped || compatible || translated || nat64) {
            return new byte[] {b[12], b[13], b[14], b[15]};
        }
        if (b[0] == 0x20 && b[1] == 0x02) {
            return new byte[] {b[2], b[3], b[4], b[5]}; // 6to4
        }
        return null;
    }

    private static boolean isZero(byte[] b, int from, int to) {
        for (int i = from; i < to; i++) {
            if (b[i] != 0) {
                return false;
            }
        }
        return true;
    }

    /** Parses an address literal, never looking a name up; null when {@code text} is not one. */
    static InetAddress literal(String text) {
        return NetUtil.createInetAddressFromIpAddressString(text);
    }
}
