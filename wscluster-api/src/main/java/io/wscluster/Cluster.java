package io.wscluster;

import io.wscluster.event.ClusterEvents;
import io.wscluster.spi.LocalDelivery;
import io.wscluster.spi.SessionHost;

import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletionStage;

/**
 * The entry point: this node's handle on the cluster.
 *
 * <p>Reach any session, any user's sessions, any room or everyone, wherever the socket lives:
 * <pre>{@code
 * Cluster cluster = HazelcastCluster.builder().clusterName("demo").build();
 * cluster.rooms().join(sessionId, "lobby");
 * cluster.messenger().send(Target.room("lobby"), Message.text("hello"));
 * }</pre>
 *
 * <p>Implementations are thread-safe. {@link #close()} drains this node: its sessions are removed
 * from the registry and it leaves the cluster.
 *
 * @since 0.1.0
 */
public interface Cluster extends AutoCloseable {

    /** @return this node's id, the prefix of every session id it hands out */
    NodeId localNode();

    /** @return the live nodes, this one included, ordered by id */
    List<Node> nodes();

    /** @return the cluster-wide session registry */
    Registry registry();

    /** @return room membership for any session */
    Rooms rooms();

    /** @return sending to sessions, users, rooms, endpoints, everyone */
    Messenger messenger();

    /** @return cluster-wide events: sessions, nodes, users online and offline */
    ClusterEvents events();

    /** @return counters of this node's routing and cluster traffic since it started */
    ClusterStats stats();

    /**
     * Why this node serves no client right now, if it does not: it stalled or was cut off for longer
     * than failure detection, the others may have declared it gone, and it has not re-entered the
     * cluster yet. Meanwhile it refuses new sessions and cluster work with
     * {@link ClusterException#unavailable}; a health check should report the node unavailable.
     *
     * @return empty while this node serves its clients, else what happened (e.g. "stalled for 6200 ms")
     * @since 0.2.0
     */
    default Optional<String> unavailableReason() {
        return Optional.empty();
    }

    /**
     * Closes any session, local or remote, with a close code; the owning node closes the socket.
     *
     * @param session the session
     * @param code    the close code and reason sent to the client
     * @return completes with true if the session was open and is being closed, false if it was not open
     */
    CompletionStage<Boolean> disconnect(SessionId session, CloseCode code);

    /**
     * Attaches the WebSocket server of this node (SPI): the cluster hands it what must be written to
     * local sockets, and it reports sessions opening and closing. One server per node.
     *
     * @param delivery writes to this node's sockets
     * @return the handle through which the server registers its sessions
     * @throws ClusterException if a server is already attached
     */
    SessionHost attachServer(LocalDelivery delivery);

    /**
     * Leaves the cluster: removes this node's sessions from the registry, rooms and presence, and
     * shuts down the cluster member if this library started it. Idempotent. Closing sockets is the
     * server's part of a drain.
     */
    @Override
    void close();
}
