package org.stargan.deploy.chaos;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Asks the gateway's {@code /health/live} every {@code periodMillis} from its own thread over one kept-alive connection
 * (as a monitoring agent does; a new connection only when the gateway closes it, counted) while an attack runs, and
 * samples the gateway's resident memory: the latencies a monitor would see, and the memory peak.
 */
final class LivenessWatch implements AutoCloseable {
    private static final byte[] REQUEST =
            "GET /health/live HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".getBytes(StandardCharsets.US_ASCII);

    private final int port;
    private final ServiceJvm gateway;
    private final long periodMillis;
    private final List<Double> millis = new ArrayList<>();
    private final List<Long> at = new ArrayList<>();
    private final java.util.Map<Long, String> phases = new java.util.TreeMap<>();
    private final Thread thread;
    private volatile boolean running = true;
    private int failures;
    private int reconnects;
    private long peakRss;
    private final long startRss;
    private Socket socket;

    LivenessWatch(int port, ServiceJvm gateway, long periodMillis) {
        this.port = port;
        this.gateway = gateway;
        this.periodMillis = periodMillis;
        this.startRss = gateway.rssBytes();
        this.peakRss = startRss;
        this.thread = new Thread(this::run, "liveness-watch");
        thread.setDaemon(true);
        thread.start();
    }

    private void run() {
        while (running) {
            long t = System.nanoTime();
            boolean ok;
            try {
                ok = ask();
            } catch (IOException e) {
                ok = false;
                closeSocket();
            }
            double ms = (System.nanoTime() - t) / 1e6;
            synchronized (this) {
                millis.add(ms);
                at.add(t);
                failures += ok ? 0 : 1;
                peakRss = Math.max(peakRss, gateway.rssBytes());
            }
            try {
                Thread.sleep(periodMillis);
            } catch (InterruptedException e) {
                return;
            }
        }
        closeSocket();
    }

    /** One request on the kept-alive connection (a new one if the gateway closed it); whether it answered 200. */
    private boolean ask() throws IOException {
        for (int attempt = 0; attempt < 2; attempt++) {
            if (socket == null) {
                socket = new Socket();
                socket.connect(new InetSocketAddress("127.0.0.1", port), 60_000);
                socket.setSoTimeout(60_000);
                synchronized (this) {
                    reconnects++;
                }
            }
            socket.getOutputStream().write(REQUEST);
            String head = readHead(socket.getInputStream());
            if (head == null) {
                closeSocket(); // closed while idle (its keep-alive ran out): ask again on a new one
                continue;
            }
            int length = Integer.parseInt(head.replaceAll("(?is).*content-length:\\s*(\\d+).*", "$1"));
            socket.getInputStream().readNBytes(length);
            return head.startsWith("HTTP/1.1 200");
        }
        return false;
    }

    private static String readHead(InputStream in) throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        while (!head.toString(StandardCharsets.ISO_8859_1).endsWith("\r\n\r\n")) {
            int b = in.read();
            if (b < 0) {
                return null;
            }
            head.write(b);
        }
        return head.toString(StandardCharsets.ISO_8859_1);
    }

    private void closeSocket() {
        try {
            if (socket != null) {
                socket.close();
            }
        } catch (IOException ignored) {
            // closing anyway
        }
        socket = null;
    }

    /** Marks the start of a phase of the attack: {@link #phases} reports the slowest answer per phase. */
    synchronized void phase(String name) {
        phases.put(System.nanoTime(), name);
    }

    /** The slowest answer of each phase, for attributing slow answers to what happened then. */
    synchronized String phases() {
        StringBuilder out = new StringBuilder();
        List<Long> starts = new ArrayList<>(phases.keySet());
        for (int p = 0; p < starts.size(); p++) {
            long from = starts.get(p);
            long to = p + 1 < starts.size() ? starts.get(p + 1) : Long.MAX_VALUE;
            double worst = 0;
            for (int i = 0; i < at.size(); i++) {
                if (at.get(i) >= from && at.get(i) < to) {
                    worst = Math.max(worst, millis.get(i));
                }
            }
            out.append(String.format(Locale.ROOT, "%s%s %.0f ms", p == 0 ? "" : ", ", phases.get(from), worst));
        }
        return out.toString();
    }

    synchronized double maxMillis() {
        return millis.stream().mapToDouble(Double::doubleValue).max().orElse(0);
    }

    synchronized double p99Millis() {
        return ChaosLoad.rank(
                millis.stream().mapToDouble(Double::doubleValue).sorted().toArray(), 0.99);
    }

    synchronized int samples() {
        return millis.size();
    }

    synchronized int failures() {
        return failures;
    }

    /** The gateway's resident memory when the watch started. */
    long startRss() {
        return startRss;
    }

    synchronized long peakRss() {
        return peakRss;
    }

    String line(String scenario) {
        synchronized (this) {
            return String.format(
                    Locale.ROOT,
                    "CHAOS %s: /health/live %d probes (%d connections), %d failed, p99 %.1f ms, max %.1f ms;"
                            + " gateway RSS %d MB -> peak %d MB",
                    scenario,
                    millis.size(),
                    reconnects,
                    failures,
                    p99Millis(),
                    maxMillis(),
                    startRss >> 20,
                    peakRss >> 20);
        }
    }

    @Override
    public void close() throws InterruptedException {
        running = false;
        thread.join(70_000);
    }
}
