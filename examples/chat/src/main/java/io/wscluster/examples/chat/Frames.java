package io.wscluster.examples.chat;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.json.JsonWriteFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import io.wscluster.Message;
import io.wscluster.Names;
import io.wscluster.Position;
import io.wscluster.Replay;

import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.util.Collection;
import java.util.Optional;

/**
 * The frames of the chat protocol (chat-protocol.md) in JSON, with Jackson.
 *
 * <p>Parsing is strict where leniency would make two readers disagree: one JSON object per frame,
 * nothing after it, no repeated keys. Fields a frame does not define are ignored. Validation order
 * is the protocol's: shape and names first ({@code bad_request}), membership later.
 *
 * <p>Encoding writes each server frame once; a room message is encoded once per send and the same
 * text goes to every receiver on every node.
 */
final class Frames {

    /** The client operations. */
    enum Op { JOIN, LEAVE, SEND, DIRECT, WHO }

    /**
     * A validated client frame.
     *
     * @param op   the operation
     * @param room the room (join, leave, send, who)
     * @param to   the addressed user (direct)
     * @param body   the body (send, direct)
     * @param replay what a join replays first ({@code since} or {@code last}); {@link Replay#none()} otherwise
     */
    record Request(Op op, String room, String to, String body, Replay replay) {

        Request(Op op, String room, String to, String body) {
            this(op, room, to, body, Replay.none());
        }
    }

    /** A frame that is not valid: answered with {@code bad_request} and the message as reason. */
    static final class BadRequest extends Exception {
        private static final long serialVersionUID = 1L;

        BadRequest(String reason) {
            super(reason, null, false, false);
        }
    }

    private static final ObjectMapper READER = JsonMapper.builder()
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .build();
    private static final JsonFactory WRITER = READER.getFactory();

    private Frames() {
    }

    /**
     * Parses and validates one client frame.
     *
     * @param text the frame's text
     * @return the request
     * @throws BadRequest if the frame is not a valid request
     */
    static Request parse(String text) throws BadRequest {
        JsonNode frame;
        try {
            frame = READER.readTree(text);
        } catch (JsonProcessingException e) {
            throw new BadRequest("not JSON: " + e.getOriginalMessage());
        }
        if (frame == null || !frame.isObject()) {
            throw new BadRequest("a frame must be one JSON object");
        }
        String op = string(frame, "op");
        switch (op) {
            case "join":
                String joined = room(frame);
                return new Request(Op.JOIN, joined, null, null, replay(frame));
            case "leave":
                return new Request(Op.LEAVE, room(frame), null, null);
            case "who":
                return new Request(Op.WHO, room(frame), null, null);
            case "send":
                return new Request(Op.SEND, room(frame), null, string(frame, "body"));
            case "direct":
                String to = string(frame, "to");
                if (!Names.isValidUser(to)) {
                    throw new BadRequest(invalid("to", to, "1..64 characters of [A-Za-z0-9_.-]"));
                }
                return new Request(Op.DIRECT, null, to, string(frame, "body"));
            default:
                throw new BadRequest("unknown op " + quote(op) + ": expected join, leave, send, direct or who");
        }
    }

    /**
     * The position part of a join (protocol 2): {@code since:{offset,epoch}} or {@code last:K}, not both.
     * A field that is present counts, even as {@code null}.
     */
    private static Replay replay(JsonNode frame) throws BadRequest {
        JsonNode since = frame.get("since");
        JsonNode last = frame.get("last");
        if (since != null && last != null) {
            throw new BadRequest("'since' and 'last' cannot both be given: resume with since, or show the last messages with last");
        }
        if (last != null) {
            if (!last.isIntegralNumber() || !last.canConvertToInt() || last.intValue() < 0 || last.intValue() > Replay.MAX_LAST) {
                throw new BadRequest("field 'last' must be an integer from 0 to " + Replay.MAX_LAST + " but was " + shown(last));
            }
            return Replay.last(last.intValue());
        }
        if (since == null) {
            return Replay.none();
        }
        if (!since.isObject()) {
            throw new BadRequest("field 'since' must be an object {\"offset\":N,\"epoch\":E} but was " + shown(since));
        }
        JsonNode offset = since.get("offset");
        if (offset == null || !offset.isIntegralNumber() || offset.bigIntegerValue().signum() < 0) {
            throw new BadRequest("field 'since.offset' must be an integer >= 0 but was " + shown(offset));
        }
        JsonNode epoch = since.get("epoch");
        int epochLength = epoch != null && epoch.isTextual() ? epoch.textValue().codePointCount(0, epoch.textValue().length()) : 0;
        if (epochLength < 1 || epochLength > Position.MAX_EPOCH_LENGTH) {
            throw new BadRequest("field 'since.epoch' must be a string of 1 to " + Position.MAX_EPOCH_LENGTH + " characters but was "
                    + shown(epoch));
        }
        // An offset beyond any long is valid and never held: the largest long is refused the same way.
        long at = offset.canConvertToLong() ? offset.longValue() : Long.MAX_VALUE;
        String e = epoch.textValue();
        // 64 characters with surrogate pairs are more than 64 UTF-16 units; such an epoch is never one this
        // cluster made (those are ASCII), and its first 64 units still hold a surrogate, so it stays unmatched.
        return Replay.since(new Position(at, e.length() > Position.MAX_EPOCH_LENGTH ? e.substring(0, Position.MAX_EPOCH_LENGTH) : e));
    }

    private static String shown(JsonNode value) {
        if (value == null) {
            return "missing";
        }
        String text = value.toString();
        return text.length() > 64 ? text.substring(0, 64) + "..." : text;
    }

    private static String room(JsonNode frame) throws BadRequest {
        String room = string(frame, "room");
        if (!Names.isValidRoom(room)) {
            throw new BadRequest(invalid("room", room, "1..128 characters of [A-Za-z0-9_.:-]"));
        }
        return room;
    }

    private static String string(JsonNode frame, String field) throws BadRequest {
        JsonNode value = frame.get(field);
        if (value == null) {
            throw new BadRequest("missing field '" + field + "'");
        }
        if (!value.isTextual()) {
            throw new BadRequest("field '" + field + "' must be a string but was " + value.getNodeType().name().toLowerCase(java.util.Locale.ROOT));
        }
        return value.textValue();
    }

    private static String invalid(String field, String value, String rule) {
        return "field '" + field + "' " + quote(value) + " is invalid: it must be " + rule;
    }

    private static String quote(String value) {
        return "'" + (value.length() > 64 ? value.substring(0, 64) + "..." : value) + "'";
    }

    // ---- server frames ---------------------------------------------------------------------

    /**
     * The answer to a join. {@code node} is an extra field (the protocol lets server frames carry them):
     * the id of the node that holds the connection, which a page behind a balancer cannot learn from
     * {@code /health} (the balancer sends that request to any node).
     *
     * @param position  in a history room, the room's latest position when the membership took effect
     * @param recovered for a {@code since} join that made a new membership, whether the history covered the gap
     * @return {@code {"op":"joined","room":R,"node":ID[,"offset":N,"epoch":E][,"recovered":B]}}
     */
    static String joined(String room, String node, Optional<Position> position, Optional<Boolean> recovered) {
        return write(null, g -> {
            g.writeStringField("op", "joined");
            g.writeStringField("room", room);
            g.writeStringField("node", node);
            if (position.isPresent()) {
                g.writeNumberField("offset", position.get().offset());
                g.writeStringField("epoch", position.get().epoch());
            }
            if (recovered.isPresent()) {
                g.writeBooleanField("recovered", recovered.get());
            }
        });
    }

    /** @return {@link #joined(String, String, Optional, Optional)} without position or recovery (no history) */
    static String joined(String room, String node) {
        return joined(room, node, Optional.empty(), Optional.empty());
    }

    /** @return {@code {"op":"left","room":R}} */
    static String left(String room) {
        return write(null, g -> {
            g.writeStringField("op", "left");
            g.writeStringField("room", room);
        });
    }

    /** @return {@code {"op":"members","room":R,"users":[...]}}, users in the given order */
    static String members(String room, Collection<String> users) {
        return write(null, g -> {
            g.writeStringField("op", "members");
            g.writeStringField("room", room);
            g.writeArrayFieldStart("users");
            for (String user : users) {
                g.writeString(user);
            }
            g.writeEndArray();
        });
    }

    /** @return {@code {"op":"msg","room":R,"from":USER,"body":B}} */
    static String msg(String room, String from, String body) {
        return write(body, g -> {
            g.writeStringField("op", "msg");
            g.writeStringField("room", room);
            g.writeStringField("from", from);
            g.writeStringField("body", body);
        });
    }

    /**
     * The history stamp (see {@link io.wscluster.HistorySettings.Stamp}): a room's {@code msg} frame with its
     * {@code "offset":N,"epoch":E} appended. Called once per node and message, for live and replayed
     * messages alike; the frame was written by {@link #msg}, so it is one JSON object ending in {@code '}'}.
     *
     * @param room     the room
     * @param position the message's offset and epoch
     * @param message  the {@code msg} frame as sent
     * @return the frame with its position
     */
    static Message stamp(String room, Position position, Message message) {
        if (!message.isText()) {
            return message;
        }
        String text = message.text();
        int end = text.lastIndexOf('}');
        if (end < 0) {
            return message;
        }
        StringBuilder out = new StringBuilder(text.length() + 48).append(text, 0, end)
                .append(",\"offset\":").append(position.offset()).append(",\"epoch\":");
        String epoch = position.epoch();
        if (epoch.chars().allMatch(c -> c < 128 && (Character.isLetterOrDigit(c) || c == '-' || c == '_' || c == '.'))) {
            out.append('"').append(epoch).append('"');
        } else {
            out.append(quoted(epoch));
        }
        return Message.text(out.append(text, end, text.length()).toString());
    }

    /** @return {@code {"op":"direct","from":USER,"body":B}} */
    static String direct(String from, String body) {
        return write(body, g -> {
            g.writeStringField("op", "direct");
            g.writeStringField("from", from);
            g.writeStringField("body", body);
        });
    }

    /** @return {@code {"op":"error","code":C,"reason":TEXT}} */
    static String error(String code, String reason) {
        return write(reason, g -> {
            g.writeStringField("op", "error");
            g.writeStringField("code", code);
            g.writeStringField("reason", reason);
        });
    }

    private interface Fields {
        void write(JsonGenerator g) throws IOException;
    }

    /**
     * Writes one object. A JSON string may hold a lone surrogate ({@code "\ud800"}), which has no UTF-8
     * form: written raw, it would make the frame unsendable. Such frames are written with every
     * non-ASCII character escaped, which keeps the text exact; all others are written as they are.
     */
    private static String write(String userText, Fields fields) {
        StringWriter out = new StringWriter(64 + (userText == null ? 0 : userText.length()));
        try (JsonGenerator g = WRITER.createGenerator(out)) {
            if (userText != null && hasLoneSurrogate(userText)) {
                g.enable(JsonWriteFeature.ESCAPE_NON_ASCII.mappedFeature());
            }
            g.writeStartObject();
            fields.write(g);
            g.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write a frame", e);
        }
        return out.toString();
    }

    /** @return a JSON string literal, non-ASCII escaped (an epoch this cluster did not make: never expected) */
    private static String quoted(String value) {
        StringWriter out = new StringWriter(value.length() + 2);
        try (JsonGenerator g = WRITER.createGenerator(out)) {
            g.enable(JsonWriteFeature.ESCAPE_NON_ASCII.mappedFeature());
            g.writeString(value);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write a string", e);
        }
        return out.toString();
    }

    static boolean hasLoneSurrogate(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (Character.isHighSurrogate(c)) {
                if (i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) {
                    i++;
                } else {
                    return true;
                }
            } else if (Character.isLowSurrogate(c)) {
                return true;
            }
        }
        return false;
    }
}
