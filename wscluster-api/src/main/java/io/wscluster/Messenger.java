package io.wscluster;

import java.util.concurrent.CompletionStage;

/**
 * Sends messages to sessions anywhere in the cluster.
 *
 * <p>Routing: a session-targeted message goes in one hop to the owner named by the id. A user or
 * room message goes once to each node that holds at least one target, and to no other node; that
 * node writes it to its local sessions. Messages from one sending thread to one target reach every
 * receiver in the order sent.
 *
 * <p>The returned stage completes with what the message was handed to, once it has been routed;
 * "nobody there" completes normally with {@link Delivery#NOBODY}. It completes exceptionally only
 * if the cluster is closed.
 *
 * <pre>{@code
 * cluster.messenger().send(Target.user("alice"), Message.text("ping"))
 *        .thenAccept(d -> { if (!d.reachedAnyone()) pushNotification("alice"); });
 * }</pre>
 *
 * @since 0.1.0
 */
public interface Messenger {

    /**
     * Sends a message.
     *
     * @param target  who it is for
     * @param message what to send
     * @return completes with what was targeted
     */
    CompletionStage<Delivery> send(Target target, Message message);

    /**
     * Sends a text message; shorthand for {@code send(target, Message.text(text))}.
     *
     * @param target who it is for
     * @param text   the text
     * @return completes with what was targeted
     */
    default CompletionStage<Delivery> sendText(Target target, String text) {
        return send(target, Message.text(text));
    }
}
