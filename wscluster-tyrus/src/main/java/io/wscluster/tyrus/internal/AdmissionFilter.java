package io.wscluster.tyrus.internal;

import io.wscluster.tyrus.ServerStatus;
import org.glassfish.grizzly.CloseListener;
import org.glassfish.grizzly.Closeable;
import org.glassfish.grizzly.Connection;
import org.glassfish.grizzly.ICloseType;
import org.glassfish.grizzly.Grizzly;
import org.glassfish.grizzly.attributes.Attribute;
import org.glassfish.grizzly.filterchain.BaseFilter;
import org.glassfish.grizzly.filterchain.FilterChainContext;
import org.glassfish.grizzly.filterchain.NextAction;
import org.glassfish.grizzly.http.HttpContent;
import org.glassfish.grizzly.memory.Buffers;
import org.glassfish.grizzly.http.HttpHeader;

import java.util.Map;

/**
 * Sits in front of Tyrus's WebSocket filter and admits WebSocket upgrade requests before Tyrus
 * sees them: while the server is starting or draining, or when the per-node connection cap is
 * reached, the handshake is answered 503 with {@code Retry-After} and the connection is closed
 * (by the {@link RefusalFilter}).
 * Tyrus itself cannot refuse with 503 (it upgrades on 503), and refusing here costs no session.
 *
 * <p>An admitted TCP connection holds one slot of the cap until it closes.
 */
// Grizzly 4's CloseListener is typed by the deprecated ICloseType; it has no other close callback.
@SuppressWarnings("deprecation")
final class AdmissionFilter extends BaseFilter {

    private static final Attribute<FrameMeter> ADMITTED =
            Grizzly.DEFAULT_ATTRIBUTE_BUILDER.createAttribute(AdmissionFilter.class.getName() + ".admitted");
    /** Close frame 1009 "message too big", unmasked as server frames are. */
    private static final byte[] CLOSE_TOO_BIG;

    static {
        byte[] reason = "message too big".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        CLOSE_TOO_BIG = new byte[4 + reason.length];
        CLOSE_TOO_BIG[0] = (byte) 0x88;
        CLOSE_TOO_BIG[1] = (byte) (2 + reason.length);
        CLOSE_TOO_BIG[2] = (byte) (1009 >> 8);
        CLOSE_TOO_BIG[3] = (byte) (1009 & 0xff);
        System.arraycopy(reason, 0, CLOSE_TOO_BIG, 4, reason.length);
    }

    private final ServerRuntime runtime;

    private final CloseListener<Closeable, ICloseType> releaseOnClose;

    AdmissionFilter(ServerRuntime runtime) {
        this.runtime = runtime;
        this.releaseOnClose = (closeable, type) -> runtime.release();
    }

    @Override
    public NextAction handleRead(FilterChainContext ctx) {
        Object message = ctx.getMessage();
        if (!(message instanceof HttpContent content)) {
            return ctx.getInvokeAction();
        }
        HttpHeader header = content.getHttpHeader();
        if (!header.isRequest() || !"websocket".equalsIgnoreCase(header.getUpgrade())) {
            return ctx.getInvokeAction();
        }
        Connection<?> connection = ctx.getConnection();
        FrameMeter meter = ADMITTED.get(connection);
        if (meter != null) {
            return meter(ctx, connection, content, meter);
        }
        if (runtime.status() != ServerStatus.RUNNING) {
            runtime.counters().refusedDraining.increment();
            return refuse(ctx, content);
        }
        if (!runtime.tryAdmit()) {
            runtime.counters().refusedOverCapacity.increment();
            return refuse(ctx, content);
        }
        ADMITTED.set(connection, new FrameMeter(runtime.settings().inbound().maxTextMessageBytes(),
                runtime.settings().inbound().maxBinaryMessageBytes()));
        connection.addCloseListener(releaseOnClose);
        return ctx.getInvokeAction();
    }

    /** After the upgrade: WebSocket frames. Closes with 1009 at the first message over its limit. */
    private NextAction meter(FilterChainContext ctx, Connection<?> connection, HttpContent content, FrameMeter meter) {
        if (meter.feed(content.getContent()) == 0) {
            return ctx.getInvokeAction();
        }
        runtime.counters().oversizedMessages.increment();
        content.recycle();
        connection.write(Buffers.wrap(connection.getMemoryManager(), CLOSE_TOO_BIG));
        connection.closeSilently();
        return ctx.getStopAction();
    }

    private NextAction refuse(FilterChainContext ctx, HttpContent content) {
        String retryAfter = Long.toString(Math.max(1, runtime.settings().admission().retryAfter().toSeconds()));
        RefusalFilter.refuse(ctx, content, 503, Map.of("Retry-After", retryAfter));
        return ctx.getStopAction();
    }
}
