package io.wscluster.testkit;

import io.wscluster.CloseCode;
import io.wscluster.Message;
import io.wscluster.SessionId;
import io.wscluster.spi.LocalDelivery;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/** A test server: records what the cluster asks this node to write to each of its sockets. */
public final class RecordingDelivery implements LocalDelivery {

    private final Map<SessionId, List<Message>> received = new ConcurrentHashMap<>();
    private final Map<SessionId, CloseCode> closes = new ConcurrentHashMap<>();
    private final AtomicLong deliverCalls = new AtomicLong();

    @Override
    public void deliver(Collection<SessionId> sessions, Message message) {
        deliverCalls.incrementAndGet();
        for (SessionId session : sessions) {
            received.computeIfAbsent(session, s -> new ArrayList<>());
            List<Message> list = received.get(session);
            synchronized (list) {
                list.add(message);
            }
        }
    }

    @Override
    public void close(SessionId session, CloseCode code) {
        closes.put(session, code);
    }

    /**
     * @param session a local session
     * @return the texts written to it so far, in order; a binary message as {@code <binary N>}
     */
    public List<String> texts(SessionId session) {
        List<Message> list = received.getOrDefault(session, List.of());
        synchronized (list) {
            List<String> texts = new ArrayList<>();
            for (Message m : list) {
                texts.add(m.isText() ? m.text() : "<binary " + m.binary().remaining() + ">");
            }
            return texts;
        }
    }

    /**
     * @param session a local session
     * @return the close asked for it, or null
     */
    public CloseCode closeOf(SessionId session) {
        return closes.get(session);
    }

    /** @return how many times the cluster handed this node a batch to write */
    public long deliverCalls() {
        return deliverCalls.get();
    }
}
