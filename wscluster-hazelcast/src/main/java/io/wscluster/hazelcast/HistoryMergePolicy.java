package io.wscluster.hazelcast;

import com.hazelcast.nio.ObjectDataInput;
import com.hazelcast.nio.ObjectDataOutput;
import com.hazelcast.spi.merge.MergingValue;
import com.hazelcast.spi.merge.SplitBrainMergePolicy;
import io.wscluster.hazelcast.internal.HistoryMerge;

/**
 * The split-brain merge policy of room history's map, {@code wsc.history}: when a partition heals,
 * a room whose two sides numbered messages under the same offsets of one epoch restarts with a new
 * epoch, so that no client resumes across a silent gap; otherwise the larger side's log stands
 * (README, "History across a partition", says what clients see).
 *
 * <p>An embedded member sets it itself unless your configuration names another policy for that map.
 * Members you start yourself and pass to {@link HazelcastCluster.Builder#hazelcastInstance} need it in
 * their configuration, by this class's name. In YAML:
 * <pre>{@code
 * hazelcast:
 *   map:
 *     wsc.history:
 *       merge-policy:
 *         class-name: io.wscluster.hazelcast.HistoryMergePolicy
 * }</pre>
 * in XML {@code <map name="wsc.history"><merge-policy>io.wscluster.hazelcast.HistoryMergePolicy</merge-policy></map>},
 * in Java:
 * <pre>{@code
 * config.getMapConfig("wsc.history").setMergePolicyConfig(
 *         new MergePolicyConfig(HistoryMergePolicy.class.getName(), MergePolicyConfig.DEFAULT_BATCH_SIZE));
 * }</pre>
 *
 * <p>Hazelcast creates the policy from its class name, by reflection through its public no-arg
 * constructor: on the member whose configuration names it, and again on the member that receives a
 * merge, as the policy travels with the merge operation (as a {@code DataSerializable}, by class
 * name). So {@code wscluster-hazelcast} must be on the class path of every member of the cluster,
 * nodes or plain Hazelcast members alike; on the module path nothing more is needed, as this package
 * is exported. Give every member the same policy for the map: Hazelcast applies the one configured
 * on the members of the smaller side, which send their entries to the larger. The policy is stateless.
 *
 * <p>The internal class it replaces, {@code io.wscluster.hazelcast.internal.HistoryMerge}, still
 * works where a configuration names it, but may go; name this one.
 *
 * @since 0.2.0
 */
public final class HistoryMergePolicy implements SplitBrainMergePolicy<Object, MergingValue<Object>, Object> {

    private static final HistoryMerge MERGE = new HistoryMerge();

    /** For Hazelcast, which creates the policy by its class name. */
    public HistoryMergePolicy() {
    }

    /**
     * Merges one room's log of the smaller side into the larger side's.
     *
     * @param merging  the smaller side's log of the room
     * @param existing the larger side's log of the room, or null if it has none
     * @return the log the merged cluster keeps
     */
    @Override
    public Object merge(MergingValue<Object> merging, MergingValue<Object> existing) {
        return MERGE.merge(merging, existing);
    }

    /** Writes nothing: the policy is stateless. */
    @Override
    public void writeData(ObjectDataOutput out) {
        // stateless
    }

    /** Reads nothing: the policy is stateless. */
    @Override
    public void readData(ObjectDataInput in) {
        // stateless
    }
}
