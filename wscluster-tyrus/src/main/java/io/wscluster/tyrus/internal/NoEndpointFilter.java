package io.wscluster.tyrus.internal;

import org.glassfish.grizzly.filterchain.BaseFilter;
import org.glassfish.grizzly.filterchain.FilterChainContext;
import org.glassfish.grizzly.filterchain.NextAction;
import org.glassfish.grizzly.http.HttpContent;
import org.glassfish.grizzly.http.HttpHeader;

import java.util.Map;

/**
 * Sits after Tyrus's WebSocket filter: an upgrade request that reaches it asked for a path no
 * endpoint serves, and is refused with 404 here, before any HTTP handler could answer it
 * ({@code /health} with 200, a static file with its content).
 */
final class NoEndpointFilter extends BaseFilter {

    @Override
    public NextAction handleRead(FilterChainContext ctx) {
        if (!(ctx.getMessage() instanceof HttpContent content)) {
            return ctx.getInvokeAction();
        }
        HttpHeader header = content.getHttpHeader();
        if (!header.isRequest() || !"websocket".equalsIgnoreCase(header.getUpgrade())) {
            return ctx.getInvokeAction();
        }
        RefusalFilter.refuse(ctx, content, 404, Map.of());
        return ctx.getStopAction();
    }
}
