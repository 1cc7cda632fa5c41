package io.wscluster.it.harness;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.IntPredicate;

/**
 * A TCP proxy in front of one node's cluster port, so a test can cut and restore cluster links.
 *
 * <p>Every node binds its cluster port on its own loopback address {@code 127.0.0.(10+i)}, and its
 * proxy listens on the same address; the node tells the others to reach it through the proxy (its
 * public address). Hazelcast binds outgoing connections to the host of the member's public
 * address, so each connection comes from its node's own address: the proxy knows which node is
 * calling and can refuse or cut exactly the links across a partition. Threads per connection: few
 * links, simple code.
 */
public final class LinkProxy implements AutoCloseable {

    private final int node;
    private final ServerSocket server;
    private final InetSocketAddress target;
    private final Set<Socket> open = ConcurrentHashMap.newKeySet();
    private volatile IntPredicate allowed = peer -> true;
    private volatile boolean closed;
    private final Set<String> strangers = ConcurrentHashMap.newKeySet();

    /**
     * @param node   index of the node behind this proxy
     * @param target the node's real cluster address
     * @throws IOException if no port can be bound
     */
    public LinkProxy(int node, InetSocketAddress target) throws IOException {
        this.node = node;
        this.target = target;
        this.server = new ServerSocket(0, 50, InetAddress.getByName(nodeAddress(node)));
        Thread acceptor = new Thread(this::acceptLoop, "link-proxy-" + node);
        acceptor.setDaemon(true);
        acceptor.start();
    }

    /** @param i node index @return the loopback address node {@code i} binds its cluster port to */
    public static String nodeAddress(int i) {
        return "127.0.0." + (10 + i);
    }

    /** @return the proxy's port, on {@link #nodeAddress(int)} of its node */
    public int port() {
        return server.getLocalPort();
    }

    /** @return {@code host:port} of the proxy: the node's public address */
    public String address() {
        return nodeAddress(node) + ":" + port();
    }

    /**
     * Allows only links from nodes that pass {@code peers}; cuts the open links that do not.
     *
     * @param peers which node indexes may reach this node
     */
    public void allowOnly(IntPredicate peers) {
        this.allowed = peers;
        for (Socket s : open) {
            int peer = peerOf(s);
            if (!peers.test(peer)) {
                closeQuietly(s);
            }
        }
    }

    /**
     * @return links accepted from an address that is no node's (then cuts cannot tell peers apart,
     *         e.g. when a node's outgoing connections do not leave from its own address)
     */
    public Set<String> strangers() {
        return Set.copyOf(strangers);
    }

    /** Lets every node through again. */
    public void allowAll() {
        this.allowed = peer -> true;
    }

    private void acceptLoop() {
        while (!closed) {
            try {
                Socket inbound = server.accept();
                int peer = peerOf(inbound);
                if (peer < 0) {
                    strangers.add(inbound.getInetAddress().getHostAddress() + ":" + inbound.getPort());
                }
                if (!allowed.test(peer)) {
                    closeQuietly(inbound);
                    continue;
                }
                Socket outbound = new Socket();
                outbound.connect(target, 2000);
                open.add(inbound);
                open.add(outbound);
                pipe(inbound, outbound, peer);
                pipe(outbound, inbound, peer);
            } catch (IOException e) {
                if (closed) {
                    return;
                }
            }
        }
    }

    /** The index of the node a socket came from (by its 127.0.0.(10+i) source), or -1. */
    private static int peerOf(Socket socket) {
        byte[] address = socket.getInetAddress().getAddress();
        return address.length == 4 && address[0] == 127 ? (address[3] & 0xFF) - 10 : -1;
    }

    private void pipe(Socket from, Socket to, int peer) {
        Thread thread = new Thread(() -> {
            byte[] buffer = new byte[16 * 1024];
            try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
                int n;
                while ((n = in.read(buffer)) >= 0) {
                    out.write(buffer, 0, n);
                }
            } catch (IOException ignored) {
                // a cut or a close ends the pipe
            } finally {
                closeQuietly(from);
                closeQuietly(to);
            }
        }, "link-" + peer + "-to-" + node);
        thread.setDaemon(true);
        thread.start();
    }

    private void closeQuietly(Socket socket) {
        open.remove(socket);
        try {
            socket.close();
        } catch (IOException ignored) {
            // already closed
        }
    }

    @Override
    public void close() throws IOException {
        closed = true;
        server.close();
        for (Socket s : open) {
            closeQuietly(s);
        }
    }
}
