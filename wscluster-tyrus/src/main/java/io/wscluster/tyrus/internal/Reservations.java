package io.wscluster.tyrus.internal;

import io.wscluster.SessionId;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * Sessions registered during their handshake whose socket has not opened yet. The session that opens
 * claims its reservation ({@link #claim}); a sweep, every quarter of the timeout, hands those no
 * session claimed within the timeout (the upgrade failed after the handshake check, the client
 * vanished) to the expiry action, which deregisters them. A reservation is claimed or expired once.
 */
final class Reservations {

    private static final Logger LOG = LoggerFactory.getLogger(Reservations.class);

    private final ConcurrentMap<SessionId, Reservation> reserved = new ConcurrentHashMap<>();
    private final ScheduledExecutorService sweeper;
    private final Duration timeout;
    private final Consumer<LocalSession> expired;

    /**
     * @param port    the server's port, for the sweeper thread's name
     * @param timeout how long a reservation waits for its socket
     * @param expired what to do with a reservation never claimed
     */
    Reservations(int port, Duration timeout, Consumer<LocalSession> expired) {
        this.timeout = timeout;
        this.expired = expired;
        this.sweeper = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "wscluster-reservations-" + port);
            t.setDaemon(true);
            return t;
        });
        long period = Math.max(10, timeout.toMillis() / 4);
        sweeper.scheduleWithFixedDelay(this::sweep, period, period, TimeUnit.MILLISECONDS);
    }

    void add(LocalSession local) {
        reserved.put(local.id(), new Reservation(local, System.nanoTime()));
    }

    void remove(SessionId id) {
        reserved.remove(id);
    }

    /**
     * @param id the id the handshake registered the session under, or null
     * @return the reservation's session, now claimed, or null if there is none or it expired
     */
    LocalSession claim(SessionId id) {
        Reservation reservation = id == null ? null : reserved.remove(id);
        return reservation == null ? null : reservation.local();
    }

    void shutdown() {
        sweeper.shutdownNow();
    }

    private void sweep() {
        long now = System.nanoTime();
        reserved.forEach((id, reservation) -> {
            if (now - reservation.sinceNanos() > timeout.toNanos() && reserved.remove(id, reservation)) {
                LOG.debug("Session {} was registered during its handshake but never opened; deregistering it", id);
                expired.accept(reservation.local());
            }
        });
    }

    private record Reservation(LocalSession local, long sinceNanos) {
    }
}
