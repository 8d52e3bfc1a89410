package org.stargan.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.handler.BodyHandler;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Slow and silent HTTP clients are cut off by the header and body timeouts; prompt ones are served and kept alive. */
class SlowClientGuardTest {
    private static final ConnectionLimits LIMITS = new ConnectionLimits(1000, 1500, 60, 4, 2, 1 << 20);

    private Vertx vertx;
    private HttpServer server;

    @BeforeEach
    void start() throws Exception {
        vertx = Vertx.vertx();
        SlowClientGuard guard = new SlowClientGuard(vertx, LIMITS, new ApiErrors(new GatewayMetrics()));
        Router router = Router.router(vertx);
        router.route().handler(guard::requestArrived);
        router.post("/upload")
                .handler(BodyHandler.create())
                .handler(ctx -> ctx.response().end("got " + ctx.body().length()));
        router.get("/hello").handler(ctx -> ctx.response().end("hello"));
        server = GatewayVerticle.configureServer(
                        vertx.createHttpServer(GatewayVerticle.serverOptions(1 << 20, LIMITS)), guard)
                .requestHandler(router)
                .listen(0, "127.0.0.1")
                .toCompletionStage()
                .toCompletableFuture()
                .get(10, TimeUnit.SECONDS);
    }

    @AfterEach
    void stop() throws Exception {
        vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    private Socket connect() throws Exception {
        Socket s = new Socket();
        s.connect(new InetSocketAddress("127.0.0.1", server.actualPort()), 2000);
        s.setSoTimeout(5000);
        return s;
    }

    /** Milliseconds until the server closes {@code s}, reading (and returning in {@code answer}) what it sends. */
    private static long closedAfter(Socket s, long openedNanos, StringBuilder answer) throws Exception {
        InputStream in = s.getInputStream();
        byte[] buf = new byte[1024];
        try {
            for (int n; (n = in.read(buf)) >= 0; ) {
                answer.append(new String(buf, 0, n, StandardCharsets.ISO_8859_1));
            }
        } catch (java.net.SocketException e) {
            // reset: closed as well
        }
        return (System.nanoTime() - openedNanos) / 1_000_000;
    }

    @Test
    void aSilentConnectionIsClosedAfterTheHeaderTimeout() throws Exception {
        long t = System.nanoTime();
        try (Socket s = connect()) {
            assertThat(closedAfter(s, t, new StringBuilder())).isBetween(950L, 4000L);
        }
    }

    @Test
    void headersTrickledInAreCutOffAfterTheHeaderTimeout() throws Exception {
        long t = System.nanoTime();
        try (Socket s = connect()) {
            s.getOutputStream().write("GET /hello HTTP/1.1\r\nHost: x\r\n".getBytes(StandardCharsets.US_ASCII));
            Thread trickle = new Thread(() -> {
                try {
                    for (int i = 0; i < 40; i++) {
                        Thread.sleep(100);
                        s.getOutputStream().write(("X-" + i + ": 1\r\n").getBytes(StandardCharsets.US_ASCII));
                    }
                } catch (Exception e) {
                    // closed
                }
            });
            trickle.start();
            assertThat(closedAfter(s, t, new StringBuilder())).isBetween(950L, 4000L);
        }
    }

    @Test
    void aBodyTrickledInIsAnswered408AfterTheBodyTimeout() throws Exception {
        long t = System.nanoTime();
        try (Socket s = connect()) {
            s.getOutputStream()
                    .write("POST /upload HTTP/1.1\r\nHost: x\r\nContent-Length: 1000\r\n\r\nabc"
                            .getBytes(StandardCharsets.US_ASCII));
            StringBuilder answer = new StringBuilder();
            assertThat(closedAfter(s, t, answer)).isBetween(1450L, 4500L);
            assertThat(answer.toString())
                    .startsWith("HTTP/1.1 408")
                    .contains("body: not received within 1500 ms of the request's headers");
        }
    }

    @Test
    void aPromptClientIsServedAndItsIdleKeepAliveConnectionClosedLater() throws Exception {
        try (Socket s = connect()) {
            s.getOutputStream().write("GET /hello HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            byte[] buf = new byte[256];
            int n = s.getInputStream().read(buf);
            assertThat(new String(buf, 0, n, StandardCharsets.US_ASCII))
                    .startsWith("HTTP/1.1 200")
                    .endsWith("hello");
            // The same connection, for a second request within the header timeout.
            Thread.sleep(100);
            s.getOutputStream().write("GET /hello HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            n = s.getInputStream().read(buf);
            assertThat(new String(buf, 0, n, StandardCharsets.US_ASCII)).startsWith("HTTP/1.1 200");
            long t = System.nanoTime();
            assertThat(closedAfter(s, t, new StringBuilder()))
                    .as("idle keep-alive")
                    .isBetween(950L, 4000L);
        }
    }
}
