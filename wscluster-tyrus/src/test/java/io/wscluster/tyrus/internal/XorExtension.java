package io.wscluster.tyrus.internal;

import jakarta.websocket.Extension;
import org.glassfish.tyrus.core.extension.ExtendedExtension;
import org.glassfish.tyrus.core.frame.Frame;

import java.util.List;

/**
 * A negotiated extension that rewrites every data frame's payload (each byte XOR 0x5A) on both ends,
 * as permessage-deflate rewrites it per session: a frame built for sessions without it would reach
 * a client with it as garbage. Tyrus's deflate extension is not in the local repository.
 */
public final class XorExtension implements ExtendedExtension {

    static final String NAME = "x-wscluster-xor";

    @Override
    public String getName() {
        return NAME;
    }

    @Override
    public List<Extension.Parameter> getParameters() {
        return List.of();
    }

    @Override
    public Frame processIncoming(ExtensionContext context, Frame frame) {
        return xor(frame);
    }

    @Override
    public Frame processOutgoing(ExtensionContext context, Frame frame) {
        return xor(frame);
    }

    private static Frame xor(Frame frame) {
        if (frame.isControlFrame()) {
            return frame;
        }
        byte[] in = frame.getPayloadData();
        byte[] out = new byte[in.length];
        for (int i = 0; i < in.length; i++) {
            out[i] = (byte) (in[i] ^ 0x5A);
        }
        return Frame.builder(frame).payloadData(out).payloadLength(out.length).build();
    }

    @Override
    public List<Extension.Parameter> onExtensionNegotiation(ExtensionContext context, List<Extension.Parameter> requested) {
        return List.of();
    }

    @Override
    public void onHandshakeResponse(ExtensionContext context, List<Extension.Parameter> responded) {
        // nothing to agree on
    }

    @Override
    public void destroy(ExtensionContext context) {
        // no state
    }
}
