package io.wscluster.tyrus;

import io.wscluster.tyrus.support.Client;
import io.wscluster.tyrus.support.Nodes;
import io.wscluster.tyrus.support.PlainTyrusEndpoint;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Arrays;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * A node that starts after sessions were opened elsewhere (scale-out, a rolling restart) and then
 * drains, seen through the plain Tyrus API only. Its own cluster, so that its members coming and
 * going disturb no other test.
 */
class TyrusClusterContextScaleOutTest {

    private static final Duration WAIT = Duration.ofSeconds(20);
    private static Nodes nodes;

    @BeforeAll
    static void startNodes() {
        nodes = Nodes.start(2, b -> b.endpoint(PlainTyrusEndpoint.class).tyrusClusterContext(TyrusClusterContext.create()));
        await().atMost(Duration.ofSeconds(20)).until(() -> nodes.get(0).cluster().nodes().size() == 2);
    }

    @AfterAll
    static void stopNodes() {
        if (nodes != null) {
            nodes.close();
        }
    }

    private static String idOf(Client c) {
        return c.request("id", "id:").substring("id:".length());
    }

    private static List<String> remotesOf(Client c) {
        String reply = c.request("remotes", "remotes:").substring("remotes:".length());
        return reply.isEmpty() ? List.of() : Arrays.asList(reply.split(","));
    }

    @Test
    void nodeStartedLater_listsSessionsOpenedBeforeItStarted_andItsDrainShutsItsContextDown() {
        try (Client a = Client.connect(nodes.get(0).ws("/tyrus/lobby")); Client b = Client.connect(nodes.get(1).ws("/tyrus/lobby"))) {
            String idA = idOf(a);
            String idB = idOf(b);
            TyrusClusterContext[] context = new TyrusClusterContext[1];
            Nodes.Node late = nodes.join(builder -> {
                context[0] = TyrusClusterContext.create();
                builder.endpoint(PlainTyrusEndpoint.class).tyrusClusterContext(context[0]);
            });
            try (Client c = Client.connect(late.ws("/tyrus/lobby"))) {
                String idC = idOf(c);
                // no wait: these opened before the late node subscribed to any event
                assertThat(remotesOf(c)).contains(idA, idB).doesNotContain(idC);
                await().atMost(WAIT).until(() -> remotesOf(a).contains(idC));

                late.server().drain();

                await().atMost(WAIT).until(() -> !remotesOf(a).contains(idC));
                assertThatThrownBy(context[0]::createSessionId)
                        .isInstanceOf(IllegalStateException.class)
                        .hasMessage("TyrusClusterContext of node '" + late.cluster().localNode() + "' is shut down");
            } finally {
                late.server().drain();
                late.cluster().close();
            }
        }
    }
}
