package io.wscluster.tyrus.internal;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

class ClientAddressesTest {

    private static final Set<String> PROXIES = Set.of("10.0.0.5", "10.0.0.6");

    @Test
    void canonical_acceptsLiteralsOnly() {
        assertThat(ClientAddresses.canonical("127.0.0.1")).contains("127.0.0.1");
        assertThat(ClientAddresses.canonical("[::1]")).contains("0:0:0:0:0:0:0:1");
        assertThat(ClientAddresses.canonical("localhost")).isEmpty();
        assertThat(ClientAddresses.canonical("999.1.1.1")).isEmpty();
        assertThat(ClientAddresses.canonical("")).isEmpty();
    }

    @Test
    void forwardedClient_isTheRightMostAddressThatIsNotATrustedProxy() {
        assertThat(ClientAddresses.forwardedClient("10.0.0.5", List.of("203.0.113.9"), PROXIES)).isEqualTo("203.0.113.9");
        // what the client wrote itself (left of the real client) is never believed
        assertThat(ClientAddresses.forwardedClient("10.0.0.5", List.of("1.1.1.1, 203.0.113.9, 10.0.0.6"), PROXIES))
                .isEqualTo("203.0.113.9");
        assertThat(ClientAddresses.forwardedClient("10.0.0.5", List.of("1.1.1.1", "203.0.113.9:4567"), PROXIES))
                .isEqualTo("203.0.113.9");
        assertThat(ClientAddresses.forwardedClient("10.0.0.5", List.of(), PROXIES)).isEqualTo("10.0.0.5");
        assertThat(ClientAddresses.forwardedClient("10.0.0.5", List.of("1.1.1.1, unknown"), PROXIES)).isEqualTo("10.0.0.5");
        assertThat(ClientAddresses.forwardedClient("10.0.0.5", List.of("10.0.0.6"), PROXIES)).isEqualTo("10.0.0.5");
    }
}
