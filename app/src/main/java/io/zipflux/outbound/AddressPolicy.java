package io.zipflux.outbound;

import java.net.InetAddress;
import java.util.List;

/** Which addresses outbound connections may go to: public ones, plus what the settings allow. */
final class AddressPolicy {

    private final boolean allowPrivate;

    private final List<Block> allowed;

    AddressPolicy(OutboundProperties properties) {
        this.allowPrivate = properties.allowPrivate();
        this.allowed = properties.allowedAddresses().stream()
                .map(String::strip)
                .filter(text -> !text.isEmpty())
                .map(Block::parse)
                .toList();
    }

    /** Fails with {@link OutboundRefusedException} unless connecting to {@code address} is allowed. */
    void check(InetAddress address) {
        AddressClass kind = AddressClass.of(address);
        if (kind == AddressClass.PUBLIC || allowPrivate || allowed.stream().anyMatch(block -> block.contains(address))) {
            return;
        }
        throw new OutboundRefusedException(address.getHostAddress() + " is " + kind.description()
                + "; zipflux does not connect there (zipflux.fetch.allowed-addresses or allow-private lift this)");
    }

    /** An address and the number of leading bits that must match. */
    private record Block(byte[] bytes, int bits) {

        static Block parse(String text) {
            int slash = text.indexOf('/');
            InetAddress address = AddressClass.literal(slash < 0 ? text : text.substring(0, slash));
            if (address == null) {
                throw new IllegalArgumentException("zipflux.fetch.allowed-addresses: '" + text
                        + "' is not an address or CIDR block (like 127.0.0.1/32 or fd00::/8)");
            }
            int width = address.getAddress().length * 8;
            int bits = slash < 0 ? width : Integer.parseInt(text.substring(slash + 1));
            if (bits < 0 || bits > width) {
                throw new IllegalArgumentException("zipflux.fetch.allowed-addresses: '" + text
                        + "' has a prefix length outside 0-" + width);
            }
            return new Block(address.getAddress(), bits);
        }

        boolean contains(InetAddress address) {
            byte[] other = address.getAddress();
            if (other.length != bytes.length) {
                return false;
            }
            for (int bit = 0; bit < bits; bit++) {
                int mask = 0x80 >>> (bit % 8);
                if ((other[bit / 8] & mask) != (bytes[bit / 8] & mask)) {
                    return false;
                }
            }
            return true;
        }
    }
}
