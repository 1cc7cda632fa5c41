package io.wscluster.hazelcast.internal;

import com.hazelcast.config.Config;
import com.hazelcast.config.MapConfig;
import com.hazelcast.config.MergePolicyConfig;
import com.hazelcast.nio.ObjectDataInput;
import com.hazelcast.nio.ObjectDataOutput;
import com.hazelcast.spi.merge.MergingValue;
import com.hazelcast.spi.merge.PutIfAbsentMergePolicy;
import com.hazelcast.spi.merge.SplitBrainMergePolicy;
import io.wscluster.hazelcast.HistoryMergePolicy;

import java.util.List;

/**
 * How a room's sequence ({@value HistoryLog#MAP}) is merged after a split brain heals.
 *
 * <p>Design notes. During a partition each side keeps numbering the room on its own: a side that
 * still holds a replica of the room's log (its owner or its backup) goes on in the same epoch from
 * the same latest offset, so both sides may give the same offset of the same epoch to different
 * messages. Hazelcast's default merge (put if absent) then keeps the larger side's log and drops
 * the smaller side's, and a client of the smaller side that resumes from its last position would
 * get {@code recovered:true} with the larger side's messages after that offset: a silent gap (the
 * larger side's messages at the offsets it saw under the other side's numbering), with offsets
 * reused under one epoch. Neither the owner nor the sender can tell a partition from the death of
 * the other side while it lasts, so the ambiguity is resolved here, where both logs meet:
 * <ul>
 * <li>No log on the larger side: the smaller side's is taken as it is (Hazelcast's default).</li>
 * <li>Different epochs: the larger side's is kept. Positions of the smaller side's epoch are refused
 * by it ({@code recovered:false} and the kept epoch); positions from before the split in the kept
 * epoch are a prefix of it.</li>
 * <li>Same epoch, and the smaller side's latest message is the larger side's message at the same
 * offset (same batch id), or the smaller side numbered none: the smaller side appended nothing
 * since the split, every position it gave out is a prefix of the larger side's log, which is kept.</li>
 * <li>Otherwise the two numberings diverged (or the larger side trimmed the point where they would
 * be compared, which is taken as diverged): the sequence restarts with a fresh epoch at offset 0,
 * holding no message, and naming the larger side's epoch and latest offset as its previous one.
 * Every position of the old epoch, from either side, is then refused with the new epoch. Live
 * streams switch to it without losing what the larger side numbered just before the merge and is
 * still in flight to them: they deliver the old epoch up to that offset first ({@link RoomStream}).</li>
 * </ul>
 * The merge runs on the owner of the room's partition in the merged cluster; its result is
 * replicated to the backup as a value, so the random epoch is not drawn twice. Messages numbered on
 * the smaller side during the partition are not in the merged history in any case.
 *
 * <p>Users name the policy {@link HistoryMergePolicy}, which delegates here. This class is public,
 * and keeps its no-arg constructor and its {@code SplitBrainMergePolicy} type, only so that a
 * configuration written before that public name existed, naming this class, still works: Hazelcast
 * instantiates a merge policy by its class name.
 */
public final class HistoryMerge implements SplitBrainMergePolicy<Object, MergingValue<Object>, Object> {

    /** For Hazelcast's deserialization. */
    public HistoryMerge() {
    }

    /**
     * Makes the history map merge with {@link HistoryMergePolicy}, unless the user's configuration
     * names a merge policy for it other than Hazelcast's default (this class's name included).
     */
    public static void configure(Config config) {
        MapConfig map = config.getMapConfig(HistoryLog.MAP);
        if (PutIfAbsentMergePolicy.class.getName().equals(map.getMergePolicyConfig().getPolicy())) {
            map.setMergePolicyConfig(new MergePolicyConfig(HistoryMergePolicy.class.getName(), MergePolicyConfig.DEFAULT_BATCH_SIZE));
        }
    }

    @Override
    public Object merge(MergingValue<Object> merging, MergingValue<Object> existing) {
        if (existing == null) {
            return merging.getRawValue();
        }
        byte[] kept = (byte[]) existing.getDeserializedValue();
        byte[] other = (byte[]) merging.getDeserializedValue();
        if (kept == null || other == null) {
            return kept == null ? merging.getRawValue() : existing.getRawValue();
        }
        HistoryLog larger = HistoryLog.decode(kept);
        HistoryLog smaller = HistoryLog.decode(other);
        if (!diverged(larger, smaller)) {
            return existing.getRawValue();
        }
        return restarted(larger, smaller).encode();
    }

    /** @return the sequence restarted with a fresh epoch that names the larger side's as the one it replaced */
    static HistoryLog restarted(HistoryLog larger, HistoryLog smaller) {
        return new HistoryLog(RoomHistory.newEpoch(), 0, Math.max(larger.touched(), smaller.touched()), List.of(),
                larger.epoch(), larger.latest());
    }

    /** @return true if the smaller side gave out positions of the larger side's epoch that the larger side does not hold */
    static boolean diverged(HistoryLog larger, HistoryLog smaller) {
        if (!larger.epoch().equals(smaller.epoch()) || smaller.latest() == 0) {
            return false;
        }
        if (smaller.entries().isEmpty()) {
            return true;
        }
        HistoryLog.Entry last = smaller.entries().get(smaller.entries().size() - 1);
        for (HistoryLog.Entry e : larger.entries()) {
            if (e.offset() == last.offset()) {
                return e.batch() != last.batch();
            }
        }
        return true;
    }

    @Override
    public void writeData(ObjectDataOutput out) {
        // stateless
    }

    @Override
    public void readData(ObjectDataInput in) {
        // stateless
    }
}
