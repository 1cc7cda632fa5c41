package io.wscluster.loadgen;

/** Counters of one I/O loop; written by its thread only, read after the run. */
final class LoopStats {
    long frames;
    /** Messages of the measured scenario (msg/direct with a generator body). */
    long deliveries;
    /** Deliveries that arrived inside the measurement window. */
    long windowDeliveries;
    long duplicates;
    long reordered;
    long errors;
    long unexpected;
    final Histogram latency = new Histogram();
    final Histogram connect = new Histogram();
}
