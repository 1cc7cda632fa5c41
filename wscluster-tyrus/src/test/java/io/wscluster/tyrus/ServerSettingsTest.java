package io.wscluster.tyrus;

import io.wscluster.CloseCode;
import io.wscluster.testkit.InMemoryNetwork;
import io.wscluster.tyrus.internal.Settings;
import io.wscluster.tyrus.support.PlainEndpoint;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The three groups of server limits (issue 10): defaults, validation, copies, and how the server builder fills them. */
class ServerSettingsTest {

    @Test
    void ofDefaults_holdsTheDefaultConstants_whichWsServerStillNames() {
        AdmissionSettings admission = AdmissionSettings.ofDefaults();
        assertThat(admission.maxConnections()).isEqualTo(AdmissionSettings.DEFAULT_MAX_CONNECTIONS).isEqualTo(10_000);
        assertThat(admission.retryAfter()).isEqualTo(Duration.ofSeconds(5));
        assertThat(admission.allowedOrigins()).isEmpty();

        InboundSettings inbound = InboundSettings.ofDefaults();
        assertThat(inbound.maxTextMessageBytes()).isEqualTo(WsServer.DEFAULT_MAX_TEXT_MESSAGE_BYTES).isEqualTo(65_536);
        assertThat(inbound.maxBinaryMessageBytes()).isEqualTo(65_536);
        assertThat(inbound.idleTimeout()).isZero();
        assertThat(inbound.rateLimitPerSecond()).isZero();
        assertThat(inbound.rateLimitBurst()).isZero();

        OutboundSettings outbound = OutboundSettings.ofDefaults();
        assertThat(outbound.maxQueuedMessages()).isEqualTo(WsServer.DEFAULT_MAX_QUEUED_MESSAGES).isEqualTo(1_024);
        assertThat(outbound.maxQueuedBytes()).isEqualTo(WsServer.DEFAULT_MAX_QUEUED_BYTES).isEqualTo(4L * 1024 * 1024);
        assertThat(outbound.socketSendBufferBytes()).isZero();
        assertThat(outbound.overflowPolicy()).isEqualTo(OverflowPolicy.CLOSE);
        assertThat(outbound.overflowCloseCode()).isEqualTo(CloseCode.TRY_AGAIN_LATER);
    }

    @Test
    void setters_withBadValues_throwIllegalArgumentNamingFieldAndValue() {
        assertThatThrownBy(() -> AdmissionSettings.builder().retryAfter(Duration.ZERO))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("retryAfter must be > 0 but was PT0S");
        assertThatThrownBy(() -> InboundSettings.builder().maxTextMessageBytes(0))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("maxTextMessageBytes must be > 0 but was 0");
        assertThatThrownBy(() -> InboundSettings.builder().rateLimit(10, 0))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("rateLimit burst must be >= 1 but was 0");
        assertThatThrownBy(() -> OutboundSettings.builder().maxQueuedBytes(-1))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("maxQueuedBytes must be > 0 but was -1");
    }

    @Test
    void toBuilder_copiesEveryField_andLeavesTheOriginalUnchanged() {
        OutboundSettings original = OutboundSettings.builder().maxQueuedMessages(8).maxQueuedBytes(4_096)
                .socketSendBufferBytes(65_536).overflowPolicy(OverflowPolicy.DROP_NEWEST)
                .overflowCloseCode(CloseCode.POLICY_VIOLATION).build();
        OutboundSettings changed = original.toBuilder().maxQueuedMessages(9).build();

        assertThat(changed.toString()).isEqualTo("OutboundSettings{maxQueuedMessages=9, maxQueuedBytes=4096,"
                + " socketSendBufferBytes=65536, overflowPolicy=DROP_NEWEST, overflowCloseCode=1008}");
        assertThat(original.maxQueuedMessages()).isEqualTo(8);

        AdmissionSettings admission = AdmissionSettings.builder().allowedOrigins("HTTPS://A.example").build();
        assertThat(admission.toBuilder().allowedOrigins("https://b.example").build().allowedOrigins())
                .containsExactlyInAnyOrder("https://a.example", "https://b.example");
        assertThatThrownBy(() -> admission.allowedOrigins().add("https://c.example"))
                .isInstanceOf(UnsupportedOperationException.class);

        InboundSettings inbound = InboundSettings.builder().idleTimeout(Duration.ofSeconds(30))
                .silenceTimeout(Duration.ofSeconds(40)).rateLimit(2.5, 3).build();
        assertThat(inbound.toBuilder().build().toString()).isEqualTo(inbound.toString())
                .isEqualTo("InboundSettings{maxTextMessageBytes=65536, maxBinaryMessageBytes=65536, idleTimeout=PT30S,"
                        + " silenceTimeout=PT40S, rateLimit=2.5/s burst 3}");
    }

    @Test
    void connectionBounds_defaultsValidationAndCopy() {
        AdmissionSettings defaults = AdmissionSettings.ofDefaults();
        assertThat(defaults.handshakeTimeout()).isEqualTo(Duration.ofSeconds(10));
        assertThat(defaults.maxConnectionsPerAddress()).isZero();
        assertThat(defaults.trustedProxies()).isEmpty();
        assertThat(defaults.forwardedForHeader()).isEqualTo("X-Forwarded-For");
        assertThat(defaults.fileDescriptorReserve()).isEqualTo(256);
        assertThat(defaults.maxSockets()).isZero();
        assertThat(InboundSettings.ofDefaults().silenceTimeout()).isZero();

        assertThatThrownBy(() -> AdmissionSettings.builder().handshakeTimeout(Duration.ZERO))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("handshakeTimeout must be > 0 but was PT0S");
        assertThatThrownBy(() -> AdmissionSettings.builder().maxConnectionsPerAddress(-1))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("maxConnectionsPerAddress must be >= 0 but was -1");
        assertThatThrownBy(() -> AdmissionSettings.builder().trustedProxies("lb.example"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("trusted proxy must be an IP address literal but was 'lb.example'");
        assertThatThrownBy(() -> InboundSettings.builder().silenceTimeout(Duration.ofSeconds(-1)))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("silenceTimeout must be >= 0 but was PT-1S");

        AdmissionSettings bounds = AdmissionSettings.builder().handshakeTimeout(Duration.ofSeconds(3))
                .maxConnectionsPerAddress(7).trustedProxies("10.0.0.5", "[::1]").forwardedForHeader("X-Real-Client")
                .fileDescriptorReserve(100).maxSockets(900).build();
        assertThat(bounds.trustedProxies()).containsExactly("10.0.0.5", "0:0:0:0:0:0:0:1");
        assertThat(bounds.toBuilder().build().toString()).isEqualTo(bounds.toString())
                .contains("handshakeTimeout=PT3S", "maxConnectionsPerAddress=7", "trustedProxies=[10.0.0.5, 0:0:0:0:0:0:0:1]",
                        "forwardedForHeader=X-Real-Client", "fileDescriptorReserve=100", "maxSockets=900");
    }

    @Test
    void serverBuilder_groupThenField_lastCallWinsPerField() {
        OutboundSettings outbound = OutboundSettings.builder().maxQueuedMessages(8).overflowPolicy(OverflowPolicy.DROP_NEWEST).build();
        try (WsServer server = WsServer.builder().cluster(new InMemoryNetwork().newNode()).endpoint(PlainEndpoint.class)
                .maxQueuedBytes(1_000)           // replaced by the group below
                .outbound(outbound)
                .maxQueuedMessages(16)           // changes one field of the group
                .admission(AdmissionSettings.builder().allowedOrigins("https://a.example").build())
                .maxConnections(3)
                .build()) {
            Settings settings = server.settings();
            assertThat(settings.outbound().maxQueuedMessages()).isEqualTo(16);
            assertThat(settings.outbound().maxQueuedBytes()).isEqualTo(OutboundSettings.DEFAULT_MAX_QUEUED_BYTES);
            assertThat(settings.outbound().overflowPolicy()).isEqualTo(OverflowPolicy.DROP_NEWEST);
            assertThat(settings.admission().allowedOrigins()).isEqualTo(Set.of("https://a.example"));
            assertThat(settings.admission().maxConnections()).isEqualTo(3);
        }
    }
}
