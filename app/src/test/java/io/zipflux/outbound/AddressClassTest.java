package io.zipflux.outbound;

import java.net.InetAddress;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.assertj.core.api.Assertions.assertThat;

/** Address classes from the bytes alone: no lookup and no connection is made by these tests. */
class AddressClassTest {

    @ParameterizedTest(name = "{0} is {1}")
    @CsvSource({
        "127.0.0.1, LOOPBACK",
        "127.0.0.2, LOOPBACK",
        "127.255.255.254, LOOPBACK",
        "::1, LOOPBACK",
        "10.0.0.1, PRIVATE",
        "172.16.0.1, PRIVATE",
        "172.31.255.255, PRIVATE",
        "192.168.1.1, PRIVATE",
        "100.64.0.1, PRIVATE",
        "fec0::1, PRIVATE",
        "169.254.169.254, LINK_LOCAL",
        "169.254.0.1, LINK_LOCAL",
        "fe80::1, LINK_LOCAL",
        "febf::1, LINK_LOCAL",
        "fc00::1, UNIQUE_LOCAL",
        "fd12:3456::1, UNIQUE_LOCAL",
        "224.0.0.1, MULTICAST",
        "239.255.255.250, MULTICAST",
        "ff02::1, MULTICAST",
        "0.0.0.0, UNSPECIFIED",
        "0.1.2.3, UNSPECIFIED",
        "::, UNSPECIFIED",
        "255.255.255.255, RESERVED",
        "240.0.0.1, RESERVED",
        "192.0.2.1, RESERVED",
        "198.18.0.1, RESERVED",
        "198.51.100.7, RESERVED",
        "203.0.113.9, RESERVED",
        "2001:db8::1, RESERVED",
        "8.8.8.8, PUBLIC",
        "93.184.216.34, PUBLIC",
        "172.32.0.1, PUBLIC",
        "172.15.255.255, PUBLIC",
        "100.128.0.1, PUBLIC",
        "169.253.1.1, PUBLIC",
        "2606:4700::1111, PUBLIC",
        "2001:4860::8888, PUBLIC",
    })
    void classifiesAddress(String literal, AddressClass expected) {
        assertThat(AddressClass.of(parse(literal))).isEqualTo(expected);
    }

    @ParameterizedTest(name = "{0} carries {1}")
    @CsvSource({
        "::ffff:127.0.0.1, LOOPBACK",
        "::ffff:10.1.2.3, PRIVATE",
        "::ffff:169.254.169.254, LINK_LOCAL",
        "::ffff:8.8.8.8, PUBLIC",
        "::127.0.0.1, LOOPBACK",
        "::10.0.0.1, PRIVATE",
        "64:ff9b::a9fe:a9fe, LINK_LOCAL",
        "64:ff9b::7f00:1, LOOPBACK",
        "64:ff9b:1::a00:1, PRIVATE",
        "64:ff9b:1::7f00:1, LOOPBACK",
        "::ffff:0:7f00:1, LOOPBACK",
        "::ffff:0:a9fe:a9fe, LINK_LOCAL",
        "2002:7f00:1::1, LOOPBACK",
        "2002:c0a8:101::1, PRIVATE",
        "2002:0808:0808::1, PUBLIC",
    })
    void classifiesIpv6FormsByTheIpv4AddressTheyCarry(String literal, AddressClass expected) {
        assertThat(AddressClass.of(parse(literal))).isEqualTo(expected);
    }

    @ParameterizedTest(name = "mapped {0} as raw IPv6 bytes")
    @CsvSource({"127, LOOPBACK", "10, PRIVATE", "169, LINK_LOCAL"})
    void classifiesMappedAddressKeptAsIpv6(int firstOctet, AddressClass expected) throws Exception {
        byte[] bytes = new byte[16];
        bytes[10] = (byte) 0xff;
        bytes[11] = (byte) 0xff;
        bytes[12] = (byte) firstOctet;
        bytes[13] = (byte) (firstOctet == 169 ? 254 : 0);
        bytes[15] = 1;
        InetAddress raw = java.net.Inet6Address.getByAddress(null, bytes, -1);
        assertThat(raw).isInstanceOf(java.net.Inet6Address.class);
        assertThat(AddressClass.of(raw)).isEqualTo(expected);
    }

    private static InetAddress parse(String literal) {
        InetAddress address = AddressClass.literal(literal);
        assertThat(address).as("literal %s", literal).isNotNull();
        return address;
    }
}
