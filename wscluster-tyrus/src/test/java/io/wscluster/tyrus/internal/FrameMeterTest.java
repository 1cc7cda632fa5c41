package io.wscluster.tyrus.internal;

import org.glassfish.grizzly.Buffer;
import org.glassfish.grizzly.memory.Buffers;
import org.glassfish.grizzly.memory.MemoryManager;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;

import static org.assertj.core.api.Assertions.assertThat;

class FrameMeterTest {

    private static byte[] frame(boolean fin, int opcode, int length) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write((fin ? 0x80 : 0) | opcode);
        if (length < 126) {
            out.write(0x80 | length);
        } else if (length < 65_536) {
            out.write(0x80 | 126);
            out.write(length >>> 8);
            out.write(length & 0xff);
        } else {
            out.write(0x80 | 127);
            for (int i = 7; i >= 0; i--) {
                out.write((int) ((long) length >>> (8 * i)) & 0xff);
            }
        }
        out.writeBytes(new byte[4]);
        out.writeBytes(new byte[length]);
        return out.toByteArray();
    }

    private static Buffer wrap(byte[] bytes) {
        return Buffers.wrap(MemoryManager.DEFAULT_MEMORY_MANAGER, bytes);
    }

    @Test
    void feed_singleFrameAtAndOverTheLimit_reportsOnlyTheOneOver() {
        FrameMeter meter = new FrameMeter(1024, 2048);

        assertThat(meter.feed(wrap(frame(true, 1, 1024)))).isZero();
        assertThat(meter.feed(wrap(frame(true, 2, 2048)))).isZero();
        assertThat(meter.feed(wrap(frame(true, 1, 1025)))).isEqualTo(1);
    }

    @Test
    void feed_fragmentedMessage_countsTheWholeMessageAndIgnoresControlFrames() {
        FrameMeter meter = new FrameMeter(1000, 1000);

        assertThat(meter.feed(wrap(frame(false, 1, 600)))).isZero();
        assertThat(meter.feed(wrap(frame(true, 9, 10)))).isZero(); // ping in between
        assertThat(meter.feed(wrap(frame(true, 0, 401)))).isEqualTo(1);
    }

    @Test
    void feed_headerSplitAcrossReads_isStillParsed() {
        FrameMeter meter = new FrameMeter(100, 100);
        byte[] big = frame(true, 2, 70_000);

        assertThat(meter.feed(wrap(java.util.Arrays.copyOfRange(big, 0, 3)))).isZero();
        assertThat(meter.feed(wrap(java.util.Arrays.copyOfRange(big, 3, 20)))).isEqualTo(2);
    }

    @Test
    void feed_doesNotMoveTheBufferPosition() {
        Buffer b = wrap(frame(true, 1, 10));
        new FrameMeter(100, 100).feed(b);

        assertThat(b.position()).isZero();
    }
}
