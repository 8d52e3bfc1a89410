package org.stargan.deploy.chaos;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * HTTP clients that never finish a request: silent ones (connect, send nothing), slow-header ones (a header line every
 * half second, never the blank line) and slow-body ones (complete headers announcing a 1 MB body, then a few bytes
 * every half second). Each records when the server closed it and the first bytes it answered.
 */
final class SlowClients implements AutoCloseable {
    /** What kind of slowness. */
    enum Kind {
        SILENT,
        SLOW_HEADERS,
        SLOW_BODY
    }

    /** One connection. */
    static final class Client {
        final Kind kind;
        final long openedNanos;
        volatile long closedNanos = -1;
        volatile String answer = "";
        final Socket socket;

        Client(Kind kind, Socket socket) {
            this.kind = kind;
            this.socket = socket;
            this.openedNanos = System.nanoTime();
        }

        /** Milliseconds from opening to the server's close, or −1 while open. */
        double closedAfterMillis() {
            return closedNanos < 0 ? -1 : (closedNanos - openedNanos) / 1e6;
        }
    }

    private final List<Client> clients = new ArrayList<>();
    private final CountDownLatch closed;
    private volatile boolean trickling = true;
    private final Thread trickler;

    /** Opens {@code each} connections of every kind to {@code port}. */
    SlowClients(int port, int each, String apiKey) throws IOException {
        closed = new CountDownLatch(3 * each);
        for (Kind kind : Kind.values()) {
            for (int i = 0; i < each; i++) {
                Socket s = new Socket();
                s.connect(new InetSocketAddress("127.0.0.1", port), 5000);
                Client c = new Client(kind, s);
                clients.add(c);
                OutputStream out = s.getOutputStream();
                if (kind == Kind.SLOW_HEADERS) {
                    out.write(ascii("POST /v1/translations?target=domain1=1 HTTP/1.1\r\nHost: 127.0.0.1\r\n"));
                } else if (kind == Kind.SLOW_BODY) {
                    out.write(ascii("POST /v1/translations?target=domain1=1 HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                            + "X-API-Key: " + apiKey + "\r\nContent-Type: image/png\r\nContent-Length: 1000000\r\n\r\n"
                            + "\u0089PNG"));
                }
                out.flush();
                Thread reader = new Thread(() -> watch(c), "slow-client-reader");
                reader.setDaemon(true);
                reader.start();
            }
        }
        trickler = new Thread(this::trickle, "slow-client-trickler");
        trickler.setDaemon(true);
        trickler.start();
    }

    private void watch(Client c) {
        try {
            InputStream in = c.socket.getInputStream();
            byte[] buf = new byte[4096];
            StringBuilder answer = new StringBuilder();
            for (int n; (n = in.read(buf)) >= 0; ) {
                if (answer.length() < 512) {
                    answer.append(new String(buf, 0, n, StandardCharsets.ISO_8859_1));
                    c.answer = answer.toString();
                }
            }
        } catch (IOException e) {
            // reset by the server: closed as well
        }
        c.closedNanos = System.nanoTime();
        closed.countDown();
    }

    private void trickle() {
        int n = 0;
        while (trickling) {
            n++;
            for (Client c : clients) {
                if (c.closedNanos >= 0 || c.kind == Kind.SILENT) {
                    continue;
                }
                try {
                    c.socket
                            .getOutputStream()
                            .write(ascii(c.kind == Kind.SLOW_HEADERS ? "X-Slow-" + n + ": 1\r\n" : "0123456789abcdef"));
                } catch (IOException e) {
                    // closed by the server: the reader records it
                }
            }
            try {
                Thread.sleep(500);
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    /** Waits until the server closed every connection; false when some were still open after {@code seconds}. */
    boolean awaitAllClosed(long seconds) throws InterruptedException {
        return closed.await(seconds, TimeUnit.SECONDS);
    }

    List<Client> clients() {
        return clients;
    }

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.ISO_8859_1);
    }

    @Override
    public void close() throws IOException {
        trickling = false;
        for (Client c : clients) {
            c.socket.close();
        }
    }
}
