package io.wscluster.tyrus.internal;

import io.wscluster.tyrus.ServerStatus;
import org.glassfish.grizzly.Connection;
import org.glassfish.grizzly.Grizzly;
import org.glassfish.grizzly.attributes.Attribute;
import org.glassfish.grizzly.filterchain.BaseFilter;
import org.glassfish.grizzly.filterchain.FilterChainContext;
import org.glassfish.grizzly.filterchain.NextAction;
import org.glassfish.grizzly.http.HttpContent;
import org.glassfish.grizzly.http.HttpHeader;
import org.glassfish.grizzly.http.HttpRequestPacket;
import org.glassfish.grizzly.http.HttpResponsePacket;
import org.glassfish.grizzly.memory.Buffers;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Sits in front of Tyrus's WebSocket filter and admits requests before Tyrus or an HTTP handler sees
 * them. A path with a {@code ..} segment is refused with 400 (any request). An upgrade request with a
 * {@code Sec-WebSocket-Key} that is not 16 bytes of base64 is refused with 400; while the server is
 * starting or draining, at the per-node connection cap or at its address's bound (both counted by the
 * {@link ConnectionGuard}), with 503 and {@code Retry-After}. Refusals are completed and their
 * connections closed by the {@link RefusalFilter}. Tyrus itself cannot refuse with 503 (it upgrades
 * on 503), and refusing here costs no session.
 *
 * <p>After the upgrade it meters the client's frames: the first message over its size limit closes
 * the connection with 1009, an unmasked frame (RFC 6455 requires clients to mask) with 1002. It tells
 * the guard and {@link UpgradedReads} when a 101 goes out, and the guard when a frame comes in.
 */
final class AdmissionFilter extends BaseFilter {

    private static final Attribute<FrameMeter> ADMITTED =
            Grizzly.DEFAULT_ATTRIBUTE_BUILDER.createAttribute(AdmissionFilter.class.getName() + ".admitted");
    /** Close frame 1009 "message too big", unmasked as server frames are. */
    private static final byte[] CLOSE_TOO_BIG = ConnectionGuard.closeFrame(1009, "message too big");
    /** Close frame 1002 "unmasked client frame". */
    private static final byte[] CLOSE_UNMASKED = ConnectionGuard.closeFrame(1002, "unmasked client frame");

    private final ServerRuntime runtime;
    private final ConnectionGuard guard;

    AdmissionFilter(ServerRuntime runtime, ConnectionGuard guard) {
        this.runtime = runtime;
        this.guard = guard;
    }

    @Override
    public NextAction handleRead(FilterChainContext ctx) {
        Object message = ctx.getMessage();
        if (!(message instanceof HttpContent content)) {
            return ctx.getInvokeAction();
        }
        Connection<?> connection = ctx.getConnection();
        FrameMeter meter = ADMITTED.get(connection);
        if (meter != null) {
            guard.received(connection);
            return meter(ctx, connection, content, meter);
        }
        HttpHeader header = content.getHttpHeader();
        if (!(header instanceof HttpRequestPacket request)) {
            return ctx.getInvokeAction();
        }
        if (HandshakeChecks.traversal(request.getRequestURI())) {
            RefusalFilter.refuse(ctx, content, 400, Map.of());
            return ctx.getStopAction();
        }
        if (!"websocket".equalsIgnoreCase(header.getUpgrade())) {
            guard.plainRequest(connection);
            return ctx.getInvokeAction();
        }
        if (!HandshakeChecks.validKey(request.getHeader("Sec-WebSocket-Key"))) {
            runtime.counters().refusedHandshakes.increment();
            RefusalFilter.refuse(ctx, content, 400, Map.of());
            return ctx.getStopAction();
        }
        if (runtime.status() != ServerStatus.RUNNING) {
            runtime.counters().refusedDraining.increment();
            return refuse(ctx, content);
        }
        if (guard.admitUpgrade(connection, forwardedFor(request)) != ConnectionGuard.Verdict.ADMIT) {
            runtime.counters().refusedOverCapacity.increment();
            return refuse(ctx, content);
        }
        ADMITTED.set(connection, new FrameMeter(runtime.settings().inbound().maxTextMessageBytes(),
                runtime.settings().inbound().maxBinaryMessageBytes()));
        return ctx.getInvokeAction();
    }

    @Override
    public NextAction handleWrite(FilterChainContext ctx) {
        Object message = ctx.getMessage();
        HttpHeader header = message instanceof HttpContent content ? content.getHttpHeader()
                : message instanceof HttpHeader h ? h : null;
        if (header instanceof HttpResponsePacket response && response.getStatus() == 101) {
            guard.upgraded(ctx.getConnection());
            UpgradedReads.upgraded(ctx.getConnection());
        }
        return ctx.getInvokeAction();
    }

    private List<String> forwardedFor(HttpRequestPacket request) {
        List<String> values = new ArrayList<>();
        for (String value : request.getHeaders().values(runtime.settings().admission().forwardedForHeader())) {
            values.add(value);
        }
        return values;
    }

    /** After the upgrade: WebSocket frames. Closes with 1009 at the first message over its limit, 1002 if unmasked. */
    private NextAction meter(FilterChainContext ctx, Connection<?> connection, HttpContent content, FrameMeter meter) {
        int verdict = meter.feed(content.getContent());
        if (verdict == 0) {
            return ctx.getInvokeAction();
        }
        byte[] close;
        if (verdict == FrameMeter.UNMASKED) {
            close = CLOSE_UNMASKED;
        } else {
            runtime.counters().oversizedMessages.increment();
            close = CLOSE_TOO_BIG;
        }
        content.recycle();
        connection.write(Buffers.wrap(connection.getMemoryManager(), close));
        connection.closeSilently();
        return ctx.getStopAction();
    }

    private NextAction refuse(FilterChainContext ctx, HttpContent content) {
        String retryAfter = Long.toString(Math.max(1, runtime.settings().admission().retryAfter().toSeconds()));
        RefusalFilter.refuse(ctx, content, 503, Map.of("Retry-After", retryAfter));
        return ctx.getStopAction();
    }
}
