package io.wscluster.tyrus.internal;

import org.glassfish.grizzly.CompletionHandler;
import org.glassfish.grizzly.Connection;
import org.glassfish.grizzly.Grizzly;
import org.glassfish.grizzly.WriteResult;
import org.glassfish.grizzly.attributes.Attribute;
import org.glassfish.grizzly.filterchain.BaseFilter;
import org.glassfish.grizzly.filterchain.FilterChainContext;
import org.glassfish.grizzly.filterchain.NextAction;
import org.glassfish.grizzly.http.HttpContent;
import org.glassfish.grizzly.http.HttpHeader;
import org.glassfish.grizzly.http.HttpRequestPacket;
import org.glassfish.grizzly.http.HttpResponsePacket;
import org.glassfish.grizzly.http.util.MimeHeaders;

import java.util.Map;

/**
 * Makes every refused WebSocket handshake a complete HTTP/1.1 response and closes its connection.
 *
 * <p>Design notes. A refusal is written by one of several writers: Tyrus (the configurator set a
 * 4xx status), the {@link AdmissionFilter} (503 while starting, draining or at the connection cap)
 * or the {@link NoEndpointFilter} (404). Tyrus writes the status it was given with its own reason
 * phrase ("Switching Protocols"), no length and no {@code Connection: close}, and leaves the socket
 * open; by HTTP/1.1 such a response ends only when the connection closes, so a client waits for a
 * body that never comes. This filter sits between the HTTP codec and every writer, so every
 * response to an upgrade request passes it on its way out. A response with a status of 400 or more
 * gets the status's standard reason phrase, a {@code Content-Length}, {@code Connection: close},
 * none of the upgrade headers, and once it is written the connection is closed.
 */
final class RefusalFilter extends BaseFilter {

    private static final Attribute<Boolean> REFUSED =
            Grizzly.DEFAULT_ATTRIBUTE_BUILDER.createAttribute(RefusalFilter.class.getName() + ".refused");
    /** Set by {@link #refuse}: completes the refusal even of a plain (not upgrade) request. */
    private static final Attribute<Boolean> REFUSING =
            Grizzly.DEFAULT_ATTRIBUTE_BUILDER.createAttribute(RefusalFilter.class.getName() + ".refusing");

    /** Standard reason phrases of RFC 9110 (and RFC 6585 for 428, 429, 431, 511). */
    private static final Map<Integer, String> REASONS = Map.ofEntries(
            Map.entry(400, "Bad Request"), Map.entry(401, "Unauthorized"), Map.entry(402, "Payment Required"),
            Map.entry(403, "Forbidden"), Map.entry(404, "Not Found"), Map.entry(405, "Method Not Allowed"),
            Map.entry(406, "Not Acceptable"), Map.entry(407, "Proxy Authentication Required"),
            Map.entry(408, "Request Timeout"), Map.entry(409, "Conflict"), Map.entry(410, "Gone"),
            Map.entry(411, "Length Required"), Map.entry(412, "Precondition Failed"),
            Map.entry(413, "Content Too Large"), Map.entry(414, "URI Too Long"),
            Map.entry(415, "Unsupported Media Type"), Map.entry(416, "Range Not Satisfiable"),
            Map.entry(417, "Expectation Failed"), Map.entry(421, "Misdirected Request"),
            Map.entry(422, "Unprocessable Content"), Map.entry(426, "Upgrade Required"),
            Map.entry(428, "Precondition Required"), Map.entry(429, "Too Many Requests"),
            Map.entry(431, "Request Header Fields Too Large"), Map.entry(451, "Unavailable For Legal Reasons"),
            Map.entry(500, "Internal Server Error"), Map.entry(501, "Not Implemented"), Map.entry(502, "Bad Gateway"),
            Map.entry(503, "Service Unavailable"), Map.entry(504, "Gateway Timeout"),
            Map.entry(505, "HTTP Version Not Supported"), Map.entry(511, "Network Authentication Required"));

    /** Response headers that belong to an accepted upgrade only. */
    private static final String[] UPGRADE_HEADERS = {"Upgrade", "Sec-WebSocket-Accept", "Sec-WebSocket-Protocol",
            "Sec-WebSocket-Extensions", "Sec-WebSocket-Version"};

    /**
     * @param status an HTTP status
     * @return its standard reason phrase, or a generic one for a status without one
     */
    static String reasonPhrase(int status) {
        String reason = REASONS.get(status);
        if (reason != null) {
            return reason;
        }
        return status >= 500 ? "Server Error" : "Client Error";
    }

    /**
     * Writes a refusal of the upgrade request this context carries, with an empty body; this filter
     * completes it on the way out.
     *
     * @param ctx     the read context of the upgrade request (from a filter after this one)
     * @param content the request
     * @param status  the status, 400 or more
     * @param headers extra response headers, e.g. {@code Retry-After}
     */
    static void refuse(FilterChainContext ctx, HttpContent content, int status, Map<String, String> headers) {
        HttpResponsePacket response = ((HttpRequestPacket) content.getHttpHeader()).getResponse();
        REFUSING.set(ctx.getConnection(), Boolean.TRUE);
        response.setStatus(status);
        headers.forEach(response::setHeader);
        ctx.write(HttpContent.builder(response).last(true).build());
        content.recycle();
    }

    @Override
    @SuppressWarnings({"rawtypes", "unchecked"}) // Grizzly's write API takes a raw WriteResult
    public NextAction handleWrite(FilterChainContext ctx) {
        Connection<?> connection = ctx.getConnection();
        if (!(ctx.getMessage() instanceof HttpContent content)
                || !(content.getHttpHeader() instanceof HttpResponsePacket response)) {
            return ctx.getInvokeAction();
        }
        if (Boolean.TRUE.equals(REFUSED.get(connection))) {
            content.recycle(); // the refusal is complete: nothing may follow it
            return ctx.getStopAction();
        }
        if (response.isCommitted() || response.getStatus() < 400
                || !(upgradeRequest(response.getRequest()) || Boolean.TRUE.equals(REFUSING.get(connection)))) {
            return ctx.getInvokeAction();
        }
        REFUSED.set(connection, Boolean.TRUE);
        int status = response.getStatus();
        response.setReasonPhrase(reasonPhrase(status));
        MimeHeaders headers = response.getHeaders();
        for (String name : UPGRADE_HEADERS) {
            headers.removeHeader(name);
        }
        response.getUpgradeDC().recycle();
        response.setChunked(false);
        response.setContentLengthLong(content.isLast() ? content.getContent().remaining() : 0);
        if (!content.isLast()) {
            // Tyrus writes the head alone and nothing after it: the refusal ends here, bodiless
            content.getContent().position(content.getContent().limit());
            content.setLast(true);
        }
        response.setHeader("Connection", "close");
        CompletionHandler original = ctx.getTransportContext().getCompletionHandler();
        ctx.write(content, new CloseAfterWrite(connection, original));
        return ctx.getStopAction();
    }

    private static boolean upgradeRequest(HttpRequestPacket request) {
        return request != null && "websocket".equalsIgnoreCase(request.getUpgrade());
    }

    /** Closes the connection once the refusal has been handed to the socket (or failed to be). */
    @SuppressWarnings({"rawtypes", "unchecked"})
    private record CloseAfterWrite(Connection<?> connection, CompletionHandler original)
            implements CompletionHandler<WriteResult> {

        @Override
        public void cancelled() {
            if (original != null) {
                original.cancelled();
            }
            connection.closeSilently();
        }

        @Override
        public void failed(Throwable throwable) {
            if (original != null) {
                original.failed(throwable);
            }
            connection.closeSilently();
        }

        @Override
        public void completed(WriteResult result) {
            if (original != null) {
                original.completed(result);
            }
            connection.closeSilently();
        }

        @Override
        public void updated(WriteResult result) {
            if (original != null) {
                original.updated(result);
            }
        }
    }
}
