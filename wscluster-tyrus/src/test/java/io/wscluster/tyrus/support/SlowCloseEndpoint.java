package io.wscluster.tyrus.support;

import jakarta.websocket.OnClose;
import jakarta.websocket.server.ServerEndpoint;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/** An endpoint whose {@code @OnClose} waits for a latch (up to 20 s): it holds a drain open. */
@ServerEndpoint("/slow-close")
public class SlowCloseEndpoint {

    /** Opened by a test to let {@code @OnClose} return. */
    public static volatile CountDownLatch release = new CountDownLatch(0);

    @OnClose
    public void onClose() throws InterruptedException {
        release.await(20, TimeUnit.SECONDS);
    }
}
