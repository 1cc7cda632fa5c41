package io.wscluster.hazelcast.internal;

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
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.Consumer;

/**
 * The one publisher of cluster events on this node. Listeners run on one event thread, one event
 * at a time, never on a Hazelcast thread.
 *
 * <p>Session and user events reach a node through a cluster-wide topic that costs every open and
 * close a delivery to each subscribed node; so the hub tells its owner when it has its first
 * listener of those kinds and when it has none left, and the owner subscribes to the topic only
 * in between. Node events come from the node table and need no topic.
 */
final class EventHub implements ClusterEvents {

    private static final Logger LOG = LoggerFactory.getLogger(EventHub.class);

    private final ExecutorService executor;
    private final List<Listener<?>> listeners = new CopyOnWriteArrayList<>();
    private final Consumer<Boolean> sessionEventsWanted;
    private int sessionEventListeners;

    /**
     * @param executor            a single-threaded executor that runs the listeners
     * @param sessionEventsWanted told {@code true} when the first session or user event listener is
     *                            added, {@code false} when the last one is cancelled
     */
    EventHub(ExecutorService executor, Consumer<Boolean> sessionEventsWanted) {
        this.executor = executor;
        this.sessionEventsWanted = sessionEventsWanted;
    }

    private record Listener<E>(Class<E> type, Consumer<? super E> consumer) {
    }

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
        Listener<E> listener = new Listener<>(type, java.util.Objects.requireNonNull(consumer, "listener"));
        boolean sessionEvent = type != NodeJoined.class && type != NodeLeft.class;
        synchronized (this) {
            listeners.add(listener);
            if (sessionEvent && sessionEventListeners++ == 0) {
                sessionEventsWanted.accept(true);
            }
        }
        return () -> {
            synchronized (this) {
                if (listeners.remove(listener) && sessionEvent && --sessionEventListeners == 0) {
                    sessionEventsWanted.accept(false);
                }
            }
        };
    }

    /**
     * Hands an event to the listeners of its type, on the event thread.
     *
     * @param event one of the event records
     */
    void publish(Object event) {
        try {
            executor.execute(() -> dispatch(event));
        } catch (RejectedExecutionException e) {
            LOG.debug("dropped {}: the node is shutting down", event);
        }
    }

    /** Stops the event thread; events not yet dispatched are dropped. */
    void shutdown() {
        executor.shutdownNow();
    }

    @SuppressWarnings("unchecked")
    private void dispatch(Object event) {
        for (Listener<?> listener : listeners) {
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
