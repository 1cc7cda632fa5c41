package io.wscluster.testkit;

import io.wscluster.event.ClusterEvents;
import io.wscluster.event.NodeJoined;
import io.wscluster.event.NodeLeft;
import io.wscluster.event.SessionClosed;
import io.wscluster.event.SessionOpened;
import io.wscluster.event.Subscription;
import io.wscluster.event.UserOffline;
import io.wscluster.event.UserOnline;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.List;
import java.util.Objects;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

/**
 * One node's {@link ClusterEvents}: its listeners, called by the network's event thread
 * ({@link InMemoryNetwork#publish}). A listener that throws is logged and keeps its subscription;
 * once the node has left, its listeners get nothing more.
 */
final class InMemoryEvents implements ClusterEvents {

    private static final Logger LOG = LoggerFactory.getLogger(InMemoryEvents.class);

    private record Listener<E>(Class<E> type, Consumer<? super E> consumer) {
    }

    private final List<Listener<?>> listeners = new CopyOnWriteArrayList<>();
    private volatile boolean shutDown;

    @Override
    public Subscription onSessionOpened(Consumer<SessionOpened> listener) {
        return add(SessionOpened.class, listener);
    }

    @Override
    public Subscription onSessionClosed(Consumer<SessionClosed> listener) {
        return add(SessionClosed.class, listener);
    }

    @Override
    public Subscription onNodeJoined(Consumer<NodeJoined> listener) {
        return add(NodeJoined.class, listener);
    }

    @Override
    public Subscription onNodeLeft(Consumer<NodeLeft> listener) {
        return add(NodeLeft.class, listener);
    }

    @Override
    public Subscription onUserOnline(Consumer<UserOnline> listener) {
        return add(UserOnline.class, listener);
    }

    @Override
    public Subscription onUserOffline(Consumer<UserOffline> listener) {
        return add(UserOffline.class, listener);
    }

    private <E> Subscription add(Class<E> type, Consumer<? super E> consumer) {
        Listener<E> listener = new Listener<>(type, Objects.requireNonNull(consumer, "listener"));
        listeners.add(listener);
        return () -> listeners.remove(listener);
    }

    /** Stops calls to every listener: the node left. */
    void shutdown() {
        shutDown = true;
    }

    /** Calls the listeners of the event's type; runs on the event thread. */
    @SuppressWarnings("unchecked")
    void dispatch(Object event) {
        for (Listener<?> listener : listeners) {
            if (shutDown) {
                return;
            }
            if (listener.type().isInstance(event)) {
                try {
                    ((Consumer<Object>) listener.consumer()).accept(event);
                } catch (RuntimeException e) {
                    LOG.warn("event listener failed on {}", event, e);
                }
            }
        }
    }
}
