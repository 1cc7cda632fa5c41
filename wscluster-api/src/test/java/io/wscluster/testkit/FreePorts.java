package io.wscluster.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Free TCP ports on 127.0.0.1 for cluster members and nodes, drawn below the kernel's ephemeral range (Linux: 32768
 * and up): a port from that range can be taken between this call and the node binding it, by any
 * socket bound to port 0 or by a TCP self-connect of a member dialling a seed that is not up yet.
 */
public final class FreePorts {

    private FreePorts() {
    }

    /**
     * @param count how many
     * @return distinct ports, free when this method returned
     */
    public static int[] of(int count) {
        List<ServerSocket> sockets = new ArrayList<>();
        try {
            int[] ports = new int[count];
            for (int i = 0; i < count; i++) {
                ServerSocket socket = bindBelowEphemeral();
                sockets.add(socket);
                ports[i] = socket.getLocalPort();
            }
            return ports;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            for (ServerSocket socket : sockets) {
                try {
                    socket.close();
                } catch (IOException ignored) {
                    // best effort
                }
            }
        }
    }

    private static ServerSocket bindBelowEphemeral() throws IOException {
        InetAddress loopback = InetAddress.getByName("127.0.0.1");
        ThreadLocalRandom random = ThreadLocalRandom.current();
        for (int attempt = 0; attempt < 100; attempt++) {
            try {
                return new ServerSocket(random.nextInt(20_000, 32_000), 1, loopback);
            } catch (IOException taken) {
                // try another
            }
        }
        return new ServerSocket(0, 1, loopback);
    }
}
