package io.wscluster.tyrus.internal.tyruscluster;

import io.wscluster.SessionId;
import io.wscluster.SessionInfo;
import io.wscluster.tyrus.internal.Outbound;
import org.glassfish.tyrus.core.cluster.SessionEventListener;

import java.util.concurrent.atomic.AtomicBoolean;

/**
 * One local session as this node's context knows it, from Tyrus creating it to its close. Its
 * state moves CREATED (Tyrus asked for its properties) to REGISTERED ({@code registerSession}) to
 * OPEN (registered in the cluster) to CLOSED; transitions hold the entry's monitor.
 */
final class LocalEntry {

    enum State { CREATED, REGISTERED, OPEN, CLOSED }

    final SessionId id;
    final LocalProperties properties;
    final long created = System.nanoTime();
    final AtomicBoolean userBinding = new AtomicBoolean();
    volatile State state = State.CREATED;
    volatile String path;
    volatile SessionEventListener listener;
    volatile SessionInfo info;
    volatile String userKey;
    volatile long closingSince;
    volatile Outbound queue;

    LocalEntry(SessionId id) {
        this.id = id;
        this.properties = new LocalProperties(id.value());
    }
}
