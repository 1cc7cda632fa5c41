package io.wscluster.tyrus.internal.tyruscluster;

import io.wscluster.CloseCode;
import jakarta.websocket.CloseReason;
import jakarta.websocket.Extension;
import org.glassfish.tyrus.core.TyrusExtension;
import org.glassfish.tyrus.core.cluster.RemoteSession.DistributedMapKey;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.URI;
import java.security.Principal;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class PropertyCodecTest {

    private static Map<DistributedMapKey, Object> full() {
        Map<String, List<String>> parameters = new LinkedHashMap<>();
        parameters.put("user", List.of("bob"));
        parameters.put("x", List.of("1", "2"));
        parameters.put("odd & = chars", List.of("a b", "ü€", ""));
        parameters.put("flag", List.of());
        Map<String, String> pathParameters = new LinkedHashMap<>();
        pathParameters.put("room", "lobby/1");
        pathParameters.put("empty", "");
        List<Extension> extensions = List.of(
                new TyrusExtension("permessage-deflate", List.of(new TyrusExtension.TyrusParameter("client_max_window_bits", "15"),
                        new TyrusExtension.TyrusParameter("server_no_context_takeover", null))),
                new TyrusExtension("x-custom;odd,name", new ArrayList<>()));
        Principal principal = () -> "alice";
        EnumMap<DistributedMapKey, Object> properties = new EnumMap<>(DistributedMapKey.class);
        properties.put(DistributedMapKey.NEGOTIATED_SUBPROTOCOL, "chat.v2");
        properties.put(DistributedMapKey.NEGOTIATED_EXTENSIONS, extensions);
        properties.put(DistributedMapKey.SECURE, true);
        properties.put(DistributedMapKey.MAX_IDLE_TIMEOUT, 123_456_789_012L);
        properties.put(DistributedMapKey.MAX_BINARY_MESSAGE_BUFFER_SIZE, 1024);
        properties.put(DistributedMapKey.MAX_TEXT_MESSAGE_BUFFER_SIZE, 2048);
        properties.put(DistributedMapKey.REQUEST_URI, URI.create("ws://localhost:8080/chat/lobby%2F1?user=bob&x=1&x=2"));
        properties.put(DistributedMapKey.REQUEST_PARAMETER_MAP, parameters);
        properties.put(DistributedMapKey.QUERY_STRING, "user=bob&x=1&x=2");
        properties.put(DistributedMapKey.PATH_PARAMETERS, pathParameters);
        properties.put(DistributedMapKey.USER_PRINCIPAL, principal);
        properties.put(DistributedMapKey.CONNECTION_ID, "c0ffee");
        return properties;
    }

    @Test
    void encodeThenDecode_everyTyrusProperty_givesBackEqualValuesOfTheTypesRemoteSessionCasts() {
        Map<DistributedMapKey, Object> properties = full();

        Map<String, String> attributes = PropertyCodec.encode(properties, null);
        Map<DistributedMapKey, Object> decoded = PropertyCodec.decode("n1-1", attributes);

        assertThat(attributes).hasSize(12).allSatisfy((k, v) -> assertThat(k).startsWith("tyrus."));
        for (DistributedMapKey key : DistributedMapKey.values()) {
            if (key == DistributedMapKey.USER_PRINCIPAL) {
                assertThat(((Principal) decoded.get(key)).getName()).isEqualTo("alice");
            } else if (key == DistributedMapKey.NEGOTIATED_EXTENSIONS) {
                assertThat(decoded.get(key).toString()).isEqualTo(properties.get(key).toString());
            } else {
                assertThat(decoded.get(key)).as(key.toString()).isEqualTo(properties.get(key));
            }
        }
        assertThat(decoded.get(DistributedMapKey.SECURE)).isInstanceOf(Boolean.class);
        assertThat(decoded.get(DistributedMapKey.MAX_IDLE_TIMEOUT)).isInstanceOf(Long.class);
        assertThat(decoded.get(DistributedMapKey.MAX_TEXT_MESSAGE_BUFFER_SIZE)).isInstanceOf(Integer.class);
        assertThat(decoded.get(DistributedMapKey.REQUEST_URI)).isInstanceOf(URI.class);
        @SuppressWarnings("unchecked")
        List<Extension> extensions = (List<Extension>) decoded.get(DistributedMapKey.NEGOTIATED_EXTENSIONS);
        assertThat(extensions).extracting(Extension::getName).containsExactly("permessage-deflate", "x-custom;odd,name");
        assertThat(extensions.get(0).getParameters()).extracting(Extension.Parameter::getName, Extension.Parameter::getValue)
                .containsExactly(org.assertj.core.groups.Tuple.tuple("client_max_window_bits", "15"),
                        org.assertj.core.groups.Tuple.tuple("server_no_context_takeover", null));
    }

    @Test
    void encode_withConnectionIdOverride_publishesTheOverride() {
        Map<String, String> attributes = PropertyCodec.encode(full(), "fresh");

        assertThat(attributes).containsEntry("tyrus.connectionId", "fresh");
    }

    @Test
    void decode_ofASessionWithoutTyrusAttributes_givesNeutralValuesAndTheSessionIdAsConnectionId() {
        Map<DistributedMapKey, Object> decoded = PropertyCodec.decode("n1-7", Map.of("other", "x"));

        assertThat(decoded.get(DistributedMapKey.CONNECTION_ID)).isEqualTo("n1-7");
        assertThat(decoded.get(DistributedMapKey.SECURE)).isEqualTo(false);
        assertThat(decoded.get(DistributedMapKey.MAX_IDLE_TIMEOUT)).isEqualTo(0L);
        assertThat(decoded.get(DistributedMapKey.MAX_BINARY_MESSAGE_BUFFER_SIZE)).isEqualTo(0);
        assertThat(decoded.get(DistributedMapKey.QUERY_STRING)).isEqualTo("");
        assertThat(decoded.get(DistributedMapKey.REQUEST_PARAMETER_MAP)).isEqualTo(Map.of());
        assertThat(decoded).doesNotContainKeys(DistributedMapKey.REQUEST_URI, DistributedMapKey.USER_PRINCIPAL);
    }

    @Test
    void decode_ofAnUnreadableValue_givesTheNeutralValue() {
        Map<DistributedMapKey, Object> decoded = PropertyCodec.decode("n1-7",
                Map.of("tyrus.maxIdleTimeout", "soon", "tyrus.requestURI", "not a uri"));

        assertThat(decoded.get(DistributedMapKey.MAX_IDLE_TIMEOUT)).isEqualTo(0L);
        assertThat(decoded).doesNotContainKey(DistributedMapKey.REQUEST_URI);
    }

    @Test
    void closeCode_keepsApplicationCodes_mapsCodesReservedForTheProtocolToNormalClosure_andCutsLongReasons() {
        assertThat(ClusterSends.closeCode(null)).isEqualTo(new CloseCode(1000, ""));
        assertThat(ClusterSends.closeCode(new CloseReason(CloseReason.CloseCodes.getCloseCode(4001), "kicked")))
                .isEqualTo(new CloseCode(4001, "kicked"));
        assertThat(ClusterSends.closeCode(new CloseReason(CloseReason.CloseCodes.CLOSED_ABNORMALLY, "x")))
                .isEqualTo(new CloseCode(1000, "x"));
        assertThat(ClusterSends.closeCode(new CloseReason(CloseReason.CloseCodes.NO_STATUS_CODE, null)))
                .isEqualTo(new CloseCode(1000, ""));
        assertThat(ClusterSends.truncateUtf8("€".repeat(50), 123)).isEqualTo("€".repeat(41)); // 150 bytes to 123
        assertThat(ClusterSends.truncateUtf8("short", 123)).isEqualTo("short");
    }

    @Test
    void pathRoom_isAValidRoomNameThatDependsOnThePathOnly() {
        assertThat(TyrusClusterAdapter.pathRoom("/chat/{room}")).matches("tyrus\\.[0-9a-f]{32}")
                .isEqualTo(TyrusClusterAdapter.pathRoom("/chat/{room}"))
                .isNotEqualTo(TyrusClusterAdapter.pathRoom("/chat"));
        assertThat(io.wscluster.Names.isValidRoom(TyrusClusterAdapter.pathRoom("/chat/{room}"))).isTrue();
    }

    @Test
    void partialMessages_areReassembledPerSessionAndKind_andTooLargeOnesFail() throws IOException {
        PartialMessages partials = new PartialMessages(10);

        assertThat(partials.text("s1", "ab", false)).isNull();
        assertThat(partials.binary("s1", new byte[] {1}, false)).isNull();
        assertThat(partials.text("s2", "x", false)).isNull();
        assertThat(partials.text("s1", "cd", true)).isEqualTo("abcd");
        assertThat(partials.binary("s1", new byte[] {2}, true)).containsExactly(1, 2);
        assertThat(partials.text("s1", null, true)).isEmpty();

        assertThat(partials.text("s3", "123456", false)).isNull();
        assertThatThrownBy(() -> partials.text("s3", "78901", false))
                .isInstanceOf(IOException.class)
                .hasMessage("Partial message to session 's3' exceeds 10 characters or bytes; its parts were dropped");
        assertThat(partials.text("s3", "z", true)).isEqualTo("z");
    }
}
