package io.wscluster.tyrus.internal.tyruscluster;

import org.glassfish.tyrus.core.frame.TyrusFrame;
import org.glassfish.tyrus.core.monitoring.ApplicationEventListener;
import org.glassfish.tyrus.core.monitoring.EndpointEventListener;
import org.glassfish.tyrus.core.monitoring.MessageEventListener;

/**
 * Tyrus's monitoring hook, installed next to the cluster context in standalone mode
 * ({@code TyrusClusterContext.serverProperties()}): it tells the context which sessions Tyrus really
 * admitted and which ones sent or received a close frame.
 *
 * <p>Tyrus creates a session (and registers it with the cluster context) before it checks its
 * session limits and instantiates the endpoint; a session refused there is never removed. With this
 * hook the context registers a session in the cluster only when Tyrus admits it
 * ({@link EndpointEventListener#onSessionOpened}), and deregisters one that exchanged a close frame
 * but was not removed within a grace period (an endpoint that could not be instantiated).
 */
final class SessionMonitor implements ApplicationEventListener {

    private final LocalSessions sessions;

    SessionMonitor(LocalSessions sessions) {
        this.sessions = sessions;
    }

    @Override
    public void onApplicationInitialized(String applicationName) {
        sessions.monitored();
    }

    @Override
    public void onApplicationDestroyed() {
        // the server's owner shuts the context down
    }

    @Override
    public EndpointEventListener onEndpointRegistered(String endpointPath, Class<?> endpointClass) {
        sessions.monitored();
        return new EndpointEventListener() {
            @Override
            public MessageEventListener onSessionOpened(String sessionId) {
                sessions.admitted(sessionId);
                return new MessageEventListener() {
                    @Override
                    public void onFrameSent(TyrusFrame.FrameType frameType, long payloadLength) {
                        if (frameType == TyrusFrame.FrameType.CLOSE) {
                            sessions.closing(sessionId);
                        }
                    }

                    @Override
                    public void onFrameReceived(TyrusFrame.FrameType frameType, long payloadLength) {
                        if (frameType == TyrusFrame.FrameType.CLOSE) {
                            sessions.closing(sessionId);
                        }
                    }
                };
            }

            @Override
            public void onSessionClosed(String sessionId) {
                // Tyrus calls removeSession on the context as well
            }

            @Override
            public void onError(String sessionId, Throwable t) {
                // errors are the application's
            }
        };
    }

    @Override
    public void onEndpointUnregistered(String endpointPath) {
        // nothing to do
    }
}
