package io.wscluster.tyrus.internal;

import org.glassfish.grizzly.http.server.HttpHandler;
import org.glassfish.grizzly.http.server.Request;
import org.glassfish.grizzly.http.server.Response;

/**
 * Serves static files to plain requests only: a WebSocket handshake to a path no endpoint serves
 * gets 404, not the file with 200 (which a client would take for a failed upgrade it cannot explain).
 */
final class NoUpgrade extends HttpHandler {

    private final HttpHandler files;

    NoUpgrade(HttpHandler files) {
        this.files = files;
    }

    @Override
    public void service(Request request, Response response) throws Exception {
        if (AdmissionFilter.askedForUpgrade(request.getContext().getConnection())) {
            response.sendError(404, "No WebSocket endpoint at " + request.getRequestURI());
            return;
        }
        files.service(request, response);
    }
}
