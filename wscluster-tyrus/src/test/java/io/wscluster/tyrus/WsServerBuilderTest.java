package io.wscluster.tyrus;

import io.wscluster.Cluster;
import io.wscluster.tyrus.support.PlainEndpoint;
import org.junit.jupiter.api.Test;

import java.lang.reflect.Proxy;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

class WsServerBuilderTest {

    @Test
    void setters_withBadValues_throwIllegalArgumentNamingFieldAndValue() {
        WsServerBuilder b = WsServer.builder();
        assertThatThrownBy(() -> b.port(70_000)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("port must be 0..65535 but was 70000");
        assertThatThrownBy(() -> b.maxQueuedMessages(-3)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("maxQueuedMessages must be > 0 but was -3");
        assertThatThrownBy(() -> b.socketSendBufferBytes(1024)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("socketSendBufferBytes must be 0 (system default) or >= 4096 but was 1024");
        assertThatThrownBy(() -> b.maxConnections(0)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("maxConnections must be > 0 but was 0");
        assertThatThrownBy(() -> b.overflowCloseCode(1000)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("overflowCloseCode must be 1013 or 1008 but was 1000");
        assertThatThrownBy(() -> b.idleTimeout(Duration.ofSeconds(-1))).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("idleTimeout must be >= 0 but was PT-1S");
        assertThatThrownBy(() -> b.endpoint(String.class)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("endpoint class java.lang.String must be annotated with @ServerEndpoint");
        assertThatThrownBy(() -> b.allowedOrigins("good.example")).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("origin must look like scheme://host[:port] but was 'good.example'");
    }

    @Test
    void build_withoutClusterOrEndpoint_throwsIllegalState() {
        assertThatThrownBy(() -> WsServer.builder().endpoint(PlainEndpoint.class).build())
                .isInstanceOf(IllegalStateException.class).hasMessage("cluster is required: call cluster(...)");
        assertThatThrownBy(() -> WsServer.builder().endpoint(PlainEndpoint.class).endpoint(PlainEndpoint.class))
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("endpoint class " + PlainEndpoint.class.getName() + " is already deployed");
    }

    @Test
    void tyrusClusterContext_givenTwiceOrToASecondServer_throwsIllegalState() {
        Cluster cluster = (Cluster) Proxy.newProxyInstance(Cluster.class.getClassLoader(), new Class<?>[] {Cluster.class},
                (proxy, method, args) -> {
                    throw new UnsupportedOperationException(method.getName());
                });
        TyrusClusterContext context = TyrusClusterContext.create();
        WsServer.builder().cluster(cluster).endpoint(PlainEndpoint.class).tyrusClusterContext(context).build();

        assertThatThrownBy(() -> WsServer.builder().cluster(cluster).endpoint(PlainEndpoint.class)
                .tyrusClusterContext(context).build())
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("tyrusClusterContext is already used by another WsServer; give each server its own"
                        + " TyrusClusterContext.create()");
        assertThatThrownBy(() -> WsServer.builder().tyrusClusterContext(TyrusClusterContext.create())
                .tyrusClusterContext(TyrusClusterContext.create()))
                .isInstanceOf(IllegalStateException.class).hasMessage("tyrusClusterContext is already set");
    }

    @Test
    void handshakeRejection_with401_isRefusedBecauseTyrusWouldUpgrade() {
        assertThatThrownBy(() -> HandshakeRejection.of(401, "x")).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("handshake rejection status must be 400..499 and not 401 (Tyrus upgrades on 401) but was 401");
    }
}
