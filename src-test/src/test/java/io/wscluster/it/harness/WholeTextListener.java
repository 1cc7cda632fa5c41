package io.wscluster.it.harness;

import java.net.http.WebSocket;
import java.util.concurrent.CompletionStage;

/**
 * A JDK WebSocket listener that reassembles fragmented text and hands over whole messages, one at
 * a time, asking for the next frame after each.
 */
public abstract class WholeTextListener implements WebSocket.Listener {

    private final StringBuilder partial = new StringBuilder();

    /**
     * A whole text message arrived.
     *
     * @param webSocket the socket
     * @param text      the message
     */
    protected abstract void onMessage(WebSocket webSocket, String text);

    @Override
    public void onOpen(WebSocket webSocket) {
        webSocket.request(1);
    }

    @Override
    public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
        partial.append(data);
        if (last) {
            String text = partial.toString();
            partial.setLength(0);
            onMessage(webSocket, text);
        }
        webSocket.request(1);
        return null;
    }
}
