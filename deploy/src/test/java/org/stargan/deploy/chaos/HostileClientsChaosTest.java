package org.stargan.deploy.chaos;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.zip.Deflater;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * Hostile and slow clients against a gateway running as its own process (issue "Serving under faults and hostile
 * clients"): slowloris-style HTTP connections, and WebSocket sessions that send compression bombs, oversized or
 * malformed messages, bad sequence numbers, or open session after session holding 9 MB images. Throughout, a watch
 * asks {@code /health/live} every 50 ms and samples the gateway's memory, and a well-behaved client keeps translating.
 * Targets: {@code /health/live} within 100 ms throughout; memory bounded; every offending socket gets an error frame or
 * is closed; the other client unaffected. The gateway runs with 2 s header and 3 s body timeouts (defaults 10 s and
 * 30 s), so the test need not wait long.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class HostileClientsChaosTest {
    private static final long HEADER_TIMEOUT_MS = 2000;
    private static final long BODY_TIMEOUT_MS = 3000;
    private static final String HOSTILE = "X-API-Key: hostile";

    private ChaosCluster cluster;
    private byte[] face;

    @BeforeAll
    void start() throws Exception {
        cluster = ChaosCluster.start(
                1,
                List.of("w-a"),
                List.of(
                        "--header-timeout-ms",
                        Long.toString(HEADER_TIMEOUT_MS),
                        "--body-timeout-ms",
                        Long.toString(BODY_TIMEOUT_MS)));
        face = ChaosCluster.face();
    }

    @AfterAll
    void stop() throws Exception {
        if (cluster != null) {
            cluster.close();
        }
    }

    /**
     * The liveness target, 100 ms throughout, where the machine allows measuring it: when its cores were not
     * oversubscribed (one-minute load average at most the number of cores), the attacked maximum must be within 100 ms.
     * On an oversubscribed machine, other processes delay answers by hundreds of milliseconds whatever the gateway does
     * (the quiet watch just before shows how much): the target is then reported as not verifiable, with both figures,
     * and the attacked maximum must stay within 2 s, far below the tens of seconds a stalled event loop shows (38 s
     * before these defences).
     */
    private static void assertLiveness(LivenessWatch quiet, LivenessWatch attacked) {
        double load = ChaosCluster.loadAverage();
        int cores = Runtime.getRuntime().availableProcessors();
        if (load >= 0 && load <= cores) {
            assertThat(attacked.maxMillis()).as("slowest /health/live, ms").isLessThanOrEqualTo(100);
        } else {
            System.out.printf(
                    Locale.ROOT,
                    "CHAOS NOTE: the 100 ms liveness target is not verifiable now: load average %.1f on %d cores;"
                            + " /health/live took up to %.0f ms without attackers and %.0f ms under attack%n",
                    load,
                    cores,
                    quiet.maxMillis(),
                    attacked.maxMillis());
            assertThat(attacked.maxMillis()).as("slowest /health/live, ms").isLessThanOrEqualTo(2000);
        }
    }

    /** /health/live with nothing but the well-behaved client: what the machine itself allows. */
    private LivenessWatch baseline(String scenario) throws Exception {
        try (ChaosLoad load = normalClient()) {
            LivenessWatch quiet = new LivenessWatch(cluster.httpPort, cluster.gateway(), 50);
            Thread.sleep(5000);
            quiet.close();
            load.stop();
            System.out.println(quiet.line(scenario + ", baseline without attackers")
                    + String.format(Locale.ROOT, "; load average %.1f", ChaosCluster.loadAverage()));
            return quiet;
        }
    }

    private ChaosLoad normalClient() {
        return new ChaosLoad(cluster.translate(), face, "normal", 1, 0, Duration.ofSeconds(35)).start();
    }

    @Test
    @Order(1)
    void slowAndSilentConnectionsAreClosedWhileOthersAreServed() throws Exception {
        LivenessWatch quiet = baseline("slow-clients");
        try (LivenessWatch live = new LivenessWatch(cluster.httpPort, cluster.gateway(), 50);
                ChaosLoad load = normalClient()) {
            long t0 = System.nanoTime();
            List<SlowClients.Client> clients;
            try (SlowClients slow = new SlowClients(cluster.httpPort, 30, "hostile")) {
                slow.awaitAllClosed((BODY_TIMEOUT_MS + 10_000) / 1000);
                clients = slow.clients();
            }
            load.stop();
            live.close();
            ChaosLoad.Figures f = ChaosLoad.figures(load.calls(), t0, Long.MAX_VALUE);
            System.out.println(f.line("slow-clients, the well-behaved client"));
            System.out.println(live.line("slow-clients")
                    + String.format(Locale.ROOT, "; load average %.1f", ChaosCluster.loadAverage()));
            for (SlowClients.Kind kind : SlowClients.Kind.values()) {
                double[] ms = clients.stream()
                        .filter(c -> c.kind == kind)
                        .mapToDouble(SlowClients.Client::closedAfterMillis)
                        .sorted()
                        .toArray();
                System.out.printf(
                        Locale.ROOT,
                        "CHAOS slow-clients: 30 %s connections closed by the gateway after %.0f..%.0f ms%n",
                        kind,
                        ms[0],
                        ms[ms.length - 1]);
            }
            assertThat(clients).hasSize(90).allSatisfy(c -> {
                long limit = c.kind == SlowClients.Kind.SLOW_BODY ? BODY_TIMEOUT_MS : HEADER_TIMEOUT_MS;
                assertThat(c.closedAfterMillis())
                        .as("%s connection closed (ms)", c.kind)
                        .isBetween(limit - 100.0, limit + 3000.0);
            });
            assertThat(clients.stream().filter(c -> c.kind == SlowClients.Kind.SLOW_BODY))
                    .allSatisfy(c -> assertThat(c.answer).startsWith("HTTP/1.1 408"));
            assertThat(f.failed() + f.lost())
                    .as("the other client's failed or lost requests")
                    .isZero();
            assertThat(f.answered()).isPositive();
            assertThat(live.failures()).isZero();
            assertLiveness(quiet, live);
            assertThat(live.peakRss() - live.startRss())
                    .as("gateway RSS growth")
                    .isLessThan(64L << 20);
        }
    }

    @Test
    @Order(2)
    void hostileWebSocketsGetAnErrorFrameOrAreClosedAndMemoryStaysBounded() throws Exception {
        // Made before the watch starts: deflating 200 MB is this JVM's work, on the cores the gateway needs too.
        byte[] bomb = deflatedText(200 << 20);
        LivenessWatch quiet = baseline("websocket");
        try (LivenessWatch live = new LivenessWatch(cluster.httpPort, cluster.gateway(), 50);
                ChaosLoad load = normalClient()) {
            long t0 = System.nanoTime();
            int port = cluster.httpPort;
            live.phase("bomb");
            // A 200 MB text message deflated to a few hundred kB, compressed although the server agreed to no
            // compression: a protocol error, the connection closes before anything is inflated.
            try (RawWebSocket ws =
                    RawWebSocket.open(port, "/v1/stream", HOSTILE, "Sec-WebSocket-Extensions: permessage-deflate")) {
                assertThat(ws.upgraded()).as(ws.handshake).isTrue();
                assertThat(ws.handshake.toLowerCase(Locale.ROOT)).doesNotContain("permessage-deflate");
                System.out.printf("CHAOS websocket: a %d-byte frame inflating to 200 MB%n", bomb.length);
                try {
                    ws.frame(RawWebSocket.TEXT, true, true, bomb);
                } catch (java.io.IOException e) {
                    // Broken pipe: the gateway closed the connection while the frame was still being written.
                }
                assertThat(ws.closedWithin(3000))
                        .as("closed after the compressed frame")
                        .isTrue();
            }
            live.phase("200 MB header");
            // A frame announcing 200 MB: refused from its header (close 1009), nothing buffered.
            try (RawWebSocket ws = RawWebSocket.open(port, "/v1/stream", HOSTILE)) {
                try {
                    ws.frameHeaderOnly(RawWebSocket.TEXT, 200L << 20, 1024);
                } catch (java.io.IOException e) {
                    // Broken pipe: the gateway refused the header and closed before the payload's first bytes were
                    // written (the header and the payload go out in separate writes).
                }
                RawWebSocket.Frame f = ws.read(3000);
                assertThat(f == null || f.closeStatus() == 1009)
                        .as("close 1009 or closed")
                        .isTrue();
                assertThat(ws.closedWithin(3000)).isTrue();
            }
            live.phase("80 kB edit");
            // An edit of 80 kB in two frames, over the 64 KiB an edit may have: an error frame, then close 1009.
            try (RawWebSocket ws = RawWebSocket.open(port, "/v1/stream", HOSTILE)) {
                ws.frame(RawWebSocket.TEXT, false, false, new byte[40 << 10]);
                ws.frame(RawWebSocket.CONTINUATION, true, false, new byte[40 << 10]);
                assertThat(ws.read(3000).text())
                        .contains("\"error\":\"too_large\"")
                        .contains("65536");
                assertThat(ws.read(3000).closeStatus()).isEqualTo(1009);
            }
            live.phase("not JSON");
            // Not JSON: an error frame, then close 1007.
            try (RawWebSocket ws = RawWebSocket.open(port, "/v1/stream", HOSTILE)) {
                ws.text("hello");
                assertThat(ws.read(3000).text())
                        .contains("\"error\":\"bad_request\"")
                        .contains("not a JSON object");
                assertThat(ws.read(3000).closeStatus()).isEqualTo(1007);
            }
            live.phase("bad seq");
            // Bad sequence numbers: an error frame naming each; the session goes on and a good edit is answered.
            try (RawWebSocket ws = RawWebSocket.open(port, "/v1/stream", HOSTILE)) {
                ws.binary(face);
                for (String seq : List.of("\"abc\"", "null", "-1", "1.5", "12345678901234567890")) {
                    ws.text("{\"seq\": " + seq + ", \"target\": \"domain1=1\"}");
                    String answer = ws.read(5000).text();
                    assertThat(answer)
                            .as(seq)
                            .contains("\"error\":\"bad_request\"")
                            .contains("seq: ");
                }
                ws.text("{\"seq\": 3, \"target\": \"domain1=1\"}");
                assertThat(ws.read(30_000).text()).contains("\"seq\":3").contains("model_version");
                assertThat(ws.read(5000).opcode()).isEqualTo(RawWebSocket.BINARY);
            }
            live.phase("9 MB flood");
            // Session after session, each holding a 9 MB image: the client's share is 4 sessions.
            long before = cluster.gateway().rssBytes();
            List<RawWebSocket> flood = new ArrayList<>();
            int refused = 0;
            byte[] nineMb = fakePng(9 << 20);
            try {
                for (int i = 0; i < 60; i++) {
                    RawWebSocket ws = RawWebSocket.open(port, "/v1/stream", HOSTILE);
                    if (ws.upgraded()) {
                        flood.add(ws);
                        ws.binary(nineMb);
                    } else {
                        assertThat(ws.handshake).startsWith("HTTP/1.1 429");
                        refused++;
                        ws.close();
                    }
                }
                Thread.sleep(1000);
                long held = cluster.gateway().rssBytes();
                System.out.printf(
                        "CHAOS websocket: 60 sessions of one client with 9 MB images: %d accepted, %d refused (429);"
                                + " gateway RSS %d -> %d MB%n",
                        flood.size(), refused, before >> 20, held >> 20);
                assertThat(flood).hasSize(4);
            } finally {
                for (RawWebSocket ws : flood) {
                    ws.close();
                }
            }
            live.phase("normal session");
            // The other client was never in the way: a well-behaved session still works.
            try (RawWebSocket ws = RawWebSocket.open(port, "/v1/stream", "X-API-Key: normal")) {
                ws.binary(face);
                ws.text("{\"seq\": 1, \"target\": \"domain1=1\"}");
                assertThat(ws.read(30_000).text()).contains("\"seq\":1");
            }
            load.stop();
            live.close();
            ChaosLoad.Figures f = ChaosLoad.figures(load.calls(), t0, Long.MAX_VALUE);
            System.out.println(f.line("websocket, the well-behaved client"));
            System.out.println(live.line("websocket")
                    + String.format(Locale.ROOT, "; load average %.1f", ChaosCluster.loadAverage()));
            System.out.println("CHAOS websocket: slowest /health/live by phase: " + live.phases());
            assertThat(f.failed() + f.lost())
                    .as("the other client's failed or lost requests")
                    .isZero();
            assertThat(live.failures()).isZero();
            assertLiveness(quiet, live);
            // Four sessions may hold a 9 MB image each (and one more in flight per session): the rest was refused.
            assertThat(live.peakRss() - live.startRss())
                    .as("gateway RSS growth")
                    .isLessThan(160L << 20);
        }
    }

    /** A text message of {@code size} bytes ({"seq": 1, "target": "aaaa…"}), raw-deflated as permessage-deflate does. */
    private static byte[] deflatedText(int size) {
        Deflater d = new Deflater(Deflater.BEST_COMPRESSION, true);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] chunk = new byte[1 << 20];
        java.util.Arrays.fill(chunk, (byte) 'a');
        byte[] head = "{\"seq\": 1, \"target\": \"".getBytes(StandardCharsets.US_ASCII);
        byte[] buf = new byte[64 << 10];
        d.setInput(head);
        for (int written = head.length; written < size; written += chunk.length) {
            while (!d.needsInput()) {
                out.write(buf, 0, d.deflate(buf));
            }
            d.setInput(chunk, 0, Math.min(chunk.length, size - written));
        }
        d.finish();
        while (!d.finished()) {
            out.write(buf, 0, d.deflate(buf));
        }
        return out.toByteArray();
    }

    /** {@code size} bytes that begin as a PNG of 2000×1500 pixels (all the gateway reads before holding it). */
    private static byte[] fakePng(int size) {
        ByteBuffer b = ByteBuffer.allocate(size);
        b.put(new byte[] {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n', 0, 0, 0, 13, 'I', 'H', 'D', 'R'});
        b.putInt(2000).putInt(1500).put(new byte[] {8, 2, 0, 0, 0});
        return b.array();
    }
}
