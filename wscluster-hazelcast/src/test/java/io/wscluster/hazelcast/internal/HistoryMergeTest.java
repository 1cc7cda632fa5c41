package io.wscluster.hazelcast.internal;

import com.hazelcast.config.Config;
import com.hazelcast.config.MergePolicyConfig;
import com.hazelcast.spi.merge.LatestUpdateMergePolicy;
import io.wscluster.Message;
import io.wscluster.hazelcast.HistoryMergePolicy;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** When the two sides' logs of a room diverged during a split brain ({@link HistoryMerge}). */
class HistoryMergeTest {

    /** A log of epoch {@code epoch} holding offsets {@code from..latest}, each numbered by batch {@code batchOf(offset)}. */
    private static HistoryLog log(String epoch, long from, long latest, long batchSalt) {
        List<HistoryLog.Entry> entries = new ArrayList<>();
        for (long o = from; o <= latest; o++) {
            entries.add(new HistoryLog.Entry(o, 1000 + o, o * 31 + (o > 5 ? batchSalt : 0), null, Message.text("m" + o)));
        }
        return HistoryLog.decode(new HistoryLog(epoch, latest, 2000, entries).encode());
    }

    @Test
    void smallerSideAppendedNothing_notDiverged_evenIfTheLargerWentOn() {
        HistoryLog atSplit = log("e1", 1, 5, 0);
        assertThat(HistoryMerge.diverged(log("e1", 1, 9, 7), atSplit)).isFalse();
        assertThat(HistoryMerge.diverged(atSplit, atSplit)).isFalse();
    }

    @Test
    void bothSidesNumberedPastTheSplit_diverged() {
        // the same offsets 6..8 of e1 given to other batches on each side
        assertThat(HistoryMerge.diverged(log("e1", 1, 9, 7), log("e1", 1, 8, 11))).isTrue();
    }

    @Test
    void smallerSideAhead_diverged() {
        // the larger side would give offsets 6..8 of e1 to other messages later
        assertThat(HistoryMerge.diverged(log("e1", 1, 5, 0), log("e1", 1, 8, 11))).isTrue();
    }

    @Test
    void largerSideTrimmedTheComparisonPoint_takenAsDiverged() {
        assertThat(HistoryMerge.diverged(log("e1", 50, 150, 7), log("e1", 1, 8, 11))).isTrue();
    }

    @Test
    void differentEpochs_orNothingNumbered_notDiverged() {
        assertThat(HistoryMerge.diverged(log("e1", 1, 9, 7), log("e2", 1, 8, 11))).isFalse();
        assertThat(HistoryMerge.diverged(log("e1", 1, 9, 7), new HistoryLog("e1", 0, 2000, List.of()))).isFalse();
    }

    @Test
    void configure_setsThePublicPolicyUnlessTheUserChoseOne() {
        Config plain = new Config();
        HistoryMerge.configure(plain);
        assertThat(plain.getMapConfig(HistoryLog.MAP).getMergePolicyConfig().getPolicy())
                .isEqualTo(HistoryMergePolicy.class.getName()).isEqualTo("io.wscluster.hazelcast.HistoryMergePolicy");

        Config chosen = new Config();
        chosen.getMapConfig(HistoryLog.MAP).setMergePolicyConfig(new MergePolicyConfig(LatestUpdateMergePolicy.class.getName(), 10));
        HistoryMerge.configure(chosen);
        assertThat(chosen.getMapConfig(HistoryLog.MAP).getMergePolicyConfig().getPolicy()).isEqualTo(LatestUpdateMergePolicy.class.getName());

        Config legacy = new Config();
        legacy.getMapConfig(HistoryLog.MAP).setMergePolicyConfig(new MergePolicyConfig(HistoryMerge.class.getName(), 10));
        HistoryMerge.configure(legacy);
        assertThat(legacy.getMapConfig(HistoryLog.MAP).getMergePolicyConfig().getPolicy()).isEqualTo(HistoryMerge.class.getName());
    }

    @Test
    void restart_namesTheReplacedEpochAndItsLastOffset_andAppendsKeepIt() {
        HistoryLog restarted = HistoryLog.decode(HistoryMerge.restarted(log("e1", 1, 9, 7), log("e1", 1, 8, 11)).encode());
        assertThat(restarted.epoch()).isNotEqualTo("e1");
        assertThat(restarted.latest()).isZero();
        assertThat(restarted.entries()).isEmpty();
        assertThat(restarted.previous()).isEqualTo("e1");
        assertThat(restarted.previousLatest()).isEqualTo(9);

        byte[] batch = new HistoryBatch("lobby", "", List.of(new HistoryLog.Entry(0, 0, 0, null, Message.text("after")))).encode();
        java.util.Map.Entry<String, byte[]> entry = new java.util.AbstractMap.SimpleEntry<>("lobby", restarted.encode());
        new HistoryAppend(42, 3000, 100, 60_000, "fresh", batch).process(entry);
        HistoryLog appended = HistoryLog.decode(entry.getValue());
        assertThat(appended.epoch()).isEqualTo(restarted.epoch());
        assertThat(appended.latest()).isEqualTo(1);
        assertThat(appended.previous()).as("an append keeps the replaced epoch").isEqualTo("e1");
        assertThat(appended.previousLatest()).isEqualTo(9);

        java.util.Map.Entry<String, byte[]> expired = new java.util.AbstractMap.SimpleEntry<>("lobby", restarted.encode());
        new HistoryAppend(43, 2000 + 60_001, 100, 60_000, "fresh", batch).process(expired);
        assertThat(HistoryLog.decode(expired.getValue()).previous()).as("a sequence restarted after its TTL replaced nothing in flight").isNull();
    }
}
