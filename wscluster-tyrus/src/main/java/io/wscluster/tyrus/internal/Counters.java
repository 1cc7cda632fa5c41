package io.wscluster.tyrus.internal;

import java.util.concurrent.atomic.LongAdder;

/**
 * The counters of one server, readable through {@code WsServer.stats()}; the Tyrus cluster SPI
 * adapter keeps its own for its standalone queues. Public only for that adapter's package; not API.
 */
public final class Counters {
    final LongAdder queued = new LongAdder();
    final LongAdder sent = new LongAdder();
    final LongAdder dropped = new LongAdder();
    final LongAdder slowConsumerCloses = new LongAdder();
    final LongAdder refusedOverCapacity = new LongAdder();
    final LongAdder refusedDraining = new LongAdder();
    final LongAdder refusedHandshakes = new LongAdder();
    final LongAdder oversizedMessages = new LongAdder();
}
