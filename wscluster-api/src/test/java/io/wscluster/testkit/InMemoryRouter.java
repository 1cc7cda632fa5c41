package io.wscluster.testkit;

import io.wscluster.ClusterException;
import io.wscluster.Delivery;
import io.wscluster.HistorySettings;
import io.wscluster.Message;
import io.wscluster.Messenger;
import io.wscluster.SessionId;
import io.wscluster.Target;
import io.wscluster.spi.LocalDelivery;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * One node's {@link Messenger}: resolves a target against the shared session table under the lock,
 * then hands the message to each receiving node's server once, on the caller's thread, outside the
 * lock. So messages from one thread reach every receiver in the order sent, a node without a
 * receiver gets nothing, and when the stage completes the servers have the message.
 */
final class InMemoryRouter implements Messenger {

    private static final Logger LOG = LoggerFactory.getLogger(InMemoryRouter.class);

    private final InMemoryNetwork network;
    private final InMemoryCluster node;

    InMemoryRouter(InMemoryNetwork network, InMemoryCluster node) {
        this.network = network;
        this.node = node;
    }

    @Override
    public CompletionStage<Delivery> send(Target target, Message message) {
        Objects.requireNonNull(target, "target");
        Objects.requireNonNull(message, "message");
        if (node.isClosed()) {
            return CompletableFuture.failedFuture(ClusterException.closed(node.localNode()));
        }
        long start = System.nanoTime();
        InMemoryCluster.Counters mine = node.counters();
        mine.messagesSent.increment();
        if (target.kind() == Target.Kind.ROOM) {
            Optional<HistorySettings.Rule> rule = network.history().ruleFor(target.name());
            if (rule.isPresent()) {
                Delivery delivery = network.history().send(node, target, message, rule.get());
                mine.routingNanos.add(System.nanoTime() - start);
                return CompletableFuture.completedFuture(delivery);
            }
        }
        Map<InMemoryCluster, List<SessionId>> perNode;
        synchronized (network.lock()) {
            perNode = network.resolve(target);
        }
        int sessions = 0;
        for (Map.Entry<InMemoryCluster, List<SessionId>> e : perNode.entrySet()) {
            InMemoryCluster receiver = e.getKey();
            List<SessionId> ids = e.getValue();
            if (receiver != node) {
                mine.envelopesOut.increment();
                mine.bytesOut.add(message.size());
                receiver.counters().envelopesIn.increment();
                receiver.counters().bytesIn.add(message.size());
            }
            receiver.counters().localDeliveries.add(ids.size());
            sessions += ids.size();
            LocalDelivery server = receiver.server();
            try {
                server.deliver(ids, message);
            } catch (RuntimeException failure) {
                LOG.warn("local delivery to {} sessions of node {} failed", ids.size(), receiver.localNode(), failure);
            }
        }
        mine.routingNanos.add(System.nanoTime() - start);
        return CompletableFuture.completedFuture(sessions == 0 ? Delivery.NOBODY : new Delivery(sessions, perNode.size()));
    }
}
