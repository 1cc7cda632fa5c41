package io.wscluster.tyrus.internal;

import org.glassfish.grizzly.Buffer;
import org.glassfish.grizzly.Connection;
import org.glassfish.grizzly.Grizzly;
import org.glassfish.grizzly.attributes.Attribute;
import org.glassfish.grizzly.filterchain.BaseFilter;
import org.glassfish.grizzly.filterchain.FilterChainContext;
import org.glassfish.grizzly.filterchain.NextAction;
import org.glassfish.grizzly.http.HttpContent;
import org.glassfish.grizzly.http.HttpRequestPacket;
import org.glassfish.grizzly.http.HttpServerFilter;
import org.glassfish.grizzly.http.Method;
import org.glassfish.grizzly.http.Protocol;

/**
 * Sits just before Grizzly's HTTP codec ({@link HttpServerFilter}) and, once a connection is upgraded,
 * hands its bytes past the codec, so the codec no longer needs the upgrade request.
 *
 * <p>Design notes. The codec keeps the request it parsed in a connection attribute until the request
 * is complete, and an upgrade request never completes: for an upgraded connection it kept the whole
 * request (its headers, URI, method, response and header bytes, about 8 KB) for the connection's life,
 * only to read its "upgrade" flag on every later read and wrap the bytes, untouched, in an
 * {@link HttpContent}. When the 101 goes out ({@link #upgraded}, called by the {@link AdmissionFilter}
 * on its way down) this drops that attribute, as the codec itself does for a complete request, and
 * marks the connection; every later read is wrapped here instead, in an {@link HttpContent} on one
 * shared, never-modified header, and continues after the codec. The filters after it read nothing
 * from that header once upgraded: the {@link AdmissionFilter} meters frames by connection and Tyrus
 * reads its own connection attribute. The 101 itself is written within the handshake's read, so
 * no later read of the connection can still be in the codec's hands.
 */
final class UpgradedReads extends BaseFilter {

    private static final Attribute<Boolean> UPGRADED =
            Grizzly.DEFAULT_ATTRIBUTE_BUILDER.createAttribute(UpgradedReads.class.getName() + ".upgraded");
    /** The codec's own attribute: the attribute builder answers an existing name with the same attribute. */
    private static final Attribute<Object> CODEC_REQUEST =
            Grizzly.DEFAULT_ATTRIBUTE_BUILDER.createAttribute(HttpServerFilter.HTTP_SERVER_REQUEST_ATTR_NAME);
    /** The header of every frame's {@link HttpContent} after the upgrade; read by no filter, written by none. */
    private static final HttpRequestPacket UPGRADED_HEADER = HttpRequestPacket.builder()
            .method(Method.GET).uri("/").protocol(Protocol.HTTP_1_1).build();

    /** The 101 is on its way: the codec's request is no longer needed and later reads skip the codec. */
    static void upgraded(Connection<?> connection) {
        UPGRADED.set(connection, Boolean.TRUE);
        CODEC_REQUEST.remove(connection);
    }

    @Override
    public NextAction handleRead(FilterChainContext ctx) {
        if (UPGRADED.get(ctx.getConnection()) == null) {
            return ctx.getInvokeAction();
        }
        Buffer bytes = ctx.getMessage();
        ctx.setMessage(HttpContent.create(UPGRADED_HEADER, false, bytes));
        // The chain continues at the filter after the next one: the codec is skipped.
        ctx.setFilterIdx(ctx.getFilterIdx() + 1);
        return ctx.getInvokeAction();
    }
}
