package io.wscluster.hazelcast;

import com.hazelcast.client.HazelcastClient;
import com.hazelcast.client.config.ClientConfig;
import com.hazelcast.core.HazelcastInstance;
import io.wscluster.hazelcast.testkit.ClusterFixture;
import org.junit.jupiter.api.Test;

import java.io.Serializable;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Issue 14: the embedded member refuses to Java-deserialize classes outside Hazelcast's whitelist
 * (com.hazelcast., java*, arrays), so a stranger on the cluster port cannot run its own serialized
 * object on a node.
 */
class JavaSerializationFilterTest {

    private static final AtomicBoolean RAN = new AtomicBoolean();

    /** What a stranger sends: a serialized object whose class is on the node's class path. */
    static final class Payload implements Callable<String>, Serializable {
        private static final long serialVersionUID = 1L;

        @Override
        public String call() {
            RAN.set(true);
            return "ran";
        }
    }

    @Test
    void javaSerializedObjectOfANonWhitelistedClass_isRefusedByTheEmbeddedMember() {
        try (ClusterFixture fixture = ClusterFixture.start(1)) {
            ClientConfig config = new ClientConfig();
            config.setClusterName(fixture.name());
            config.getNetworkConfig().addAddress("127.0.0.1:" + fixture.get(0).port());
            HazelcastInstance stranger = HazelcastClient.newHazelcastClient(config);
            try {
                assertThatThrownBy(() -> stranger.getExecutorService("probe").submit(new Payload()).get(20, TimeUnit.SECONDS))
                        .isInstanceOf(ExecutionException.class)
                        .rootCause().hasMessageContaining("Resolving class " + Payload.class.getName() + " is not allowed");
                assertThat(RAN).isFalse();
            } finally {
                stranger.shutdown();
            }
        }
    }
}
