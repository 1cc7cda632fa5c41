/**
 * The wscluster cluster on Hazelcast: start at {@code io.wscluster.hazelcast.HazelcastCluster};
 * {@code io.wscluster.hazelcast.metrics} binds its counters to Micrometer. The core's layers in
 * {@code io.wscluster.hazelcast.internal} are not exported.
 *
 * <p>Hazelcast 5.7 has no module descriptor; its jar names itself {@code com.hazelcast.core}.
 * Micrometer is optional: only {@code ClusterMeters} needs it.
 *
 * @since 0.1.0
 */
// Hazelcast and Micrometer have no module descriptor (their jars name themselves). HazelcastCluster's
// public methods take Hazelcast types, so readers of this module read Hazelcast too; Micrometer stays
// optional (ClusterMeters suppresses the lint that asks for requires transitive).
@SuppressWarnings({"requires-automatic", "requires-transitive-automatic"})
module io.wscluster.hazelcast {
    requires transitive io.wscluster.api;
    requires transitive com.hazelcast.core;
    requires static micrometer.core;
    requires org.slf4j;

    exports io.wscluster.hazelcast;
    exports io.wscluster.hazelcast.metrics;
    // Hazelcast instantiates the history map's merge policy by its class name: the public
    // HistoryMergePolicy needs nothing more; a configuration may still name the old internal.HistoryMerge
    opens io.wscluster.hazelcast.internal to com.hazelcast.core;
}
