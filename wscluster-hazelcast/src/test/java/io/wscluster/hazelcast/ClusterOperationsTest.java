package io.wscluster.hazelcast;

import com.hazelcast.topic.ITopic;
import io.wscluster.SessionInfo;
import io.wscluster.Target;
import io.wscluster.hazelcast.testkit.ClusterFixture;
import io.wscluster.testkit.ClusterContractKit;
import io.wscluster.testkit.ClusterNodes;
import io.wscluster.testkit.TestNode;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Every API operation across three real members over loopback: the cluster contract
 * ({@link ClusterContractKit}), plus what only Hazelcast shows (the traffic on a node's topic).
 */
class ClusterOperationsTest extends ClusterContractKit {

    @Override
    protected ClusterNodes startNodes(int count) {
        return ClusterFixture.start(count).asKitNodes();
    }

    @Test
    void send_toRoom_sendsNothingToNodesWithoutMembers() throws Exception {
        TestNode a = node(0);
        TestNode b = node(1);
        TestNode c = node(2);
        String room = unique("quiet");
        // what the senders publish to B's inbox, seen by a listener of A's (on A's event thread, so later than B's reply)
        List<String> envelopesToB = new CopyOnWriteArrayList<>();
        ITopic<byte[]> inboxOfB = ((HazelcastCluster) a.cluster()).hazelcastInstance().getTopic("wsc.n." + b.cluster().localNode().value());
        UUID probe = inboxOfB.addMessageListener(m -> {
            io.wscluster.hazelcast.internal.Envelope envelope = io.wscluster.hazelcast.internal.Envelope.decode(m.getMessageObject());
            if (envelope.kind() == io.wscluster.hazelcast.internal.Envelope.Kind.DELIVER) {
                envelopesToB.add(envelope.message().text());
            }
        });
        try {
            SessionInfo onA = a.host().open("/chat", null, Map.of());
            SessionInfo onC = c.host().open("/chat", null, Map.of());
            SessionInfo onB = b.host().open("/chat", null, Map.of());
            join(a.cluster().rooms().join(onA.id(), room));
            join(a.cluster().rooms().join(onC.id(), room));
            int baseline = envelopesToB.size();
            long deliverCallsBefore = b.server().deliverCalls();

            for (int i = 0; i < 200; i++) {
                a.cluster().messenger().sendText(Target.room(room), "m" + i);
                c.cluster().messenger().sendText(Target.room(room), "n" + i);
            }
            await().atMost(Duration.ofSeconds(10)).until(() -> c.server().texts(onC.id()).size() == 400);
            // a control envelope to B from each sender after the burst: a topic keeps each publisher's order, so
            // once both arrived (at B and at the probe), any room traffic to B would have arrived too
            join(a.cluster().messenger().sendText(Target.session(onB.id()), "control-a"));
            join(c.cluster().messenger().sendText(Target.session(onB.id()), "control-c"));

            await().atMost(Duration.ofSeconds(10)).until(() -> envelopesToB.containsAll(List.of("control-a", "control-c")));
            assertThat(envelopesToB.subList(baseline, envelopesToB.size())).as("messages routed to B: only the controls")
                    .containsExactlyInAnyOrder("control-a", "control-c");
            assertThat(b.server().deliverCalls() - deliverCallsBefore).isEqualTo(2);
            assertThat(b.server().texts(onB.id())).containsExactly("control-a", "control-c");
            for (SessionInfo s : List.of(onA)) {
                a.host().closed(s.id());
            }
            b.host().closed(onB.id());
            c.host().closed(onC.id());
        } finally {
            inboxOfB.removeMessageListener(probe);
        }
    }
}
