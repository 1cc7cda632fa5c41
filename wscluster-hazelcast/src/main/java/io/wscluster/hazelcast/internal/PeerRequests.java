package io.wscluster.hazelcast.internal;

import io.wscluster.SessionId;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Serves what other nodes send this node: deliveries to its sessions, joins and leaves of its
 * sessions, closes, routing entries of the join barrier and user announcements of the presence barrier. Runs on the inbound thread in arrival
 * order (see {@link NodeLink}), except joins and leaves: they wait for the join barrier, which
 * needs the inbound thread for the acknowledgements, so they run on the requests thread, still in
 * arrival order among themselves.
 */
final class PeerRequests {

    private static final Logger LOG = LoggerFactory.getLogger(PeerRequests.class);

    private final NodeContext context;
    private final NodeLink link;
    private final Router router;
    private final RoomMembership rooms;
    private final SessionRegistry registry;
    private final RoutingTable routing;
    private final UserRoutes userRoutes;

    PeerRequests(NodeContext context, NodeLink link, Router router, RoomMembership rooms, SessionRegistry registry,
                 RoutingTable routing, UserRoutes userRoutes) {
        this.userRoutes = userRoutes;
        this.context = context;
        this.link = link;
        this.router = router;
        this.rooms = rooms;
        this.registry = registry;
        this.routing = routing;
    }

    /** Handles one inbound envelope (not a reply). */
    void serve(Envelope envelope) {
        switch (envelope.kind()) {
            case DELIVER: {
                int count = router.deliverLocally(envelope.targetKind(), envelope.name(), envelope.excluded(), envelope.message());
                link.reply(envelope.replyTo(), envelope.correlation(), count);
                break;
            }
            case JOIN:
            case LEAVE:
                context.requests.execute(() -> {
                    int result;
                    try {
                        result = rooms.changeLocal(envelope.kind() == Envelope.Kind.JOIN, new SessionId(envelope.name()),
                                envelope.room()) ? 1 : 0;
                    } catch (RuntimeException e) {
                        LOG.warn("{} of session '{}' to room '{}' failed", envelope.kind(), envelope.name(), envelope.room(), e);
                        return;
                    }
                    link.reply(envelope.replyTo(), envelope.correlation(), result);
                });
                break;
            case DISCONNECT:
                link.reply(envelope.replyTo(), envelope.correlation(),
                        registry.closeLocal(new SessionId(envelope.name()), envelope.closeCode()) ? 1 : 0);
                break;
            case SYNC:
                routing.apply(envelope.room(), envelope.entry());
                link.reply(envelope.replyTo(), envelope.correlation(), 1);
                break;
            case PRESENCE:
                for (UserRoutes.Announced announced : envelope.presence()) {
                    userRoutes.apply(announced.user(), announced.pushed());
                }
                link.reply(envelope.replyTo(), envelope.correlation(), 1);
                break;
            default:
                LOG.warn("node {} ignored an inbound {}", context.id, envelope.kind());
        }
    }
}
