package io.wscluster.event;

/**
 * A registered listener; closing it stops further calls.
 *
 * @since 0.1.0
 */
@FunctionalInterface
public interface Subscription extends AutoCloseable {

    /** Stops calls to the listener. Idempotent. */
    @Override
    void close();
}
