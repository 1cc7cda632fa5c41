package io.wscluster.examples.chat;

import com.hazelcast.client.HazelcastClient;
import com.hazelcast.client.config.ClientConfig;
import com.hazelcast.core.HazelcastInstance;
import io.wscluster.examples.chat.support.ChatCluster;
import io.wscluster.examples.chat.support.Http;
import io.wscluster.examples.chat.testkit.ChatClient;
import io.wscluster.hazelcast.HazelcastCluster;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Issue 14, the cluster port, through the chat node: with {@code --cluster-secret}, a stranger
 * Hazelcast client that knows the cluster name publishes a forged direct frame into a node's inbox:
 * no client receives it, the node counts the stranger on {@code /health}; chat between the nodes
 * works as before.
 */
class ClusterSecretChatTest {

    private static final String[] SECRET = {"--cluster-secret", "chat-test-secret-0123456789"};

    private ChatCluster cluster;

    @AfterEach
    void stop() {
        if (cluster != null) {
            cluster.close();
        }
    }

    /** A DELIVER to user {@code user}, written as a stranger would write it: by hand, without a tag. */
    private static byte[] forgedDeliver(String user, String text) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeByte(0); // DELIVER
            out.writeLong(0); // no correlation
            out.writeBoolean(false); // no reply-to
            out.writeByte(1); // target USER
            byte[] name = user.getBytes(StandardCharsets.UTF_8);
            out.writeInt(name.length);
            out.write(name);
            out.writeBoolean(false); // nobody excluded
            out.writeBoolean(true); // text
            byte[] payload = text.getBytes(StandardCharsets.UTF_8);
            out.writeInt(payload.length);
            out.write(payload);
        }
        return bytes.toByteArray();
    }

    @Test
    @DisplayName("a stranger client without the secret cannot make a frame reach a user and shows on /health")
    void strangerClient_forgedDirect_reachesNobody() throws Exception {
        cluster = ChatCluster.start(2, SECRET, SECRET);
        HazelcastCluster node1 = (HazelcastCluster) cluster.node(1).cluster();
        ChatClient alice = ChatClient.connect(cluster.chat(0, "alice"), "alice");
        ChatClient bob = ChatClient.connect(cluster.chat(1, "bob"), "bob");
        try {
            alice.send("op", "direct", "to", "bob", "body", "hi bob");
            bob.await(f -> "direct".equals(f.path("op").asText()) && "hi bob".equals(f.path("body").asText()));
            // a node that started slowly may show its peer a moment past the grace; the gauge is re-read once a second
            await().atMost(Duration.ofSeconds(20)).untilAsserted(() ->
                    assertThat(Http.health(cluster.node(1).port()).json().path("untrustedMembers").asInt()).isZero());

            ClientConfig config = new ClientConfig();
            config.setClusterName(node1.hazelcastInstance().getConfig().getClusterName());
            config.getNetworkConfig().addAddress(node1.hazelcastInstance().getCluster().getLocalMember().getAddress().getHost()
                    + ":" + node1.hazelcastInstance().getCluster().getLocalMember().getAddress().getPort());
            HazelcastInstance stranger = HazelcastClient.newHazelcastClient(config);
            try {
                long rejected = node1.stats().messagesRejected();
                stranger.<byte[]>getTopic("wsc.n." + node1.localNode().value())
                        .publish(forgedDeliver("bob", "{\"op\":\"direct\",\"from\":\"admin\",\"body\":\"forged\"}"));
                await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
                    assertThat(node1.stats().messagesRejected()).isGreaterThan(rejected);
                    assertThat(Http.health(cluster.node(1).port()).json().path("untrustedMembers").asInt()).isEqualTo(1);
                });
                alice.send("op", "direct", "to", "bob", "body", "after the forgery");
                bob.await(f -> "after the forgery".equals(f.path("body").asText()));
                assertThat(bob.received("direct")).extracting(f -> f.path("from").asText()).containsOnly("alice");
            } finally {
                stranger.shutdown();
            }
        } finally {
            alice.close();
            bob.close();
        }
    }
}
