package io.wscluster.event;

import java.util.function.Consumer;

/**
 * The one publisher of cluster-wide events.
 *
 * <p>Every listener sees every event of its kind that happens anywhere in the cluster, once. Each
 * listener is called on a wscluster event thread, one event at a time in the order this node
 * learned them; a listener must not block for long. A listener that throws is logged and keeps its
 * subscription.
 *
 * @since 0.1.0
 */
public interface ClusterEvents {

    /**
     * A session opened on any node.
     *
     * @param listener called with the event
     * @return the subscription, to cancel
     */
    Subscription onSessionOpened(Consumer<SessionOpened> listener);

    /**
     * A session closed on any node, or vanished with its node.
     *
     * @param listener called with the event
     * @return the subscription, to cancel
     */
    Subscription onSessionClosed(Consumer<SessionClosed> listener);

    /**
     * A node joined the cluster.
     *
     * @param listener called with the event
     * @return the subscription, to cancel
     */
    Subscription onNodeJoined(Consumer<NodeJoined> listener);

    /**
     * A node left the cluster, drained or lost.
     *
     * @param listener called with the event
     * @return the subscription, to cancel
     */
    Subscription onNodeLeft(Consumer<NodeLeft> listener);

    /**
     * A user's first session anywhere in the cluster opened.
     *
     * @param listener called with the event
     * @return the subscription, to cancel
     */
    Subscription onUserOnline(Consumer<UserOnline> listener);

    /**
     * A user's last session anywhere in the cluster closed.
     *
     * @param listener called with the event
     * @return the subscription, to cancel
     */
    Subscription onUserOffline(Consumer<UserOffline> listener);
}
