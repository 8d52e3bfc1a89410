package org.stargan.deploy.chaos;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.concurrent.ThreadLocalRandom;

/**
 * A WebSocket client that writes frames byte by byte, so that a test can send what no well-behaved client library
 * would: compressed frames nobody agreed to, lengths it never sends, messages split at will.
 */
final class RawWebSocket implements AutoCloseable {
    static final int TEXT = 1;
    static final int BINARY = 2;
    static final int CONTINUATION = 0;
    static final int CLOSE = 8;

    /** A frame from the server. */
    record Frame(int opcode, byte[] payload) {
        String text() {
            return new String(payload, StandardCharsets.UTF_8);
        }

        /** A close frame's status code, or −1. */
        int closeStatus() {
            return opcode == CLOSE && payload.length >= 2 ? (payload[0] & 0xff) << 8 | payload[1] & 0xff : -1;
        }
    }

    private final Socket socket;
    private final DataInputStream in;
    private final OutputStream out;
    /** The status line and headers of the handshake's answer. */
    final String handshake;

    private RawWebSocket(Socket socket, String handshake) throws IOException {
        this.socket = socket;
        this.in = new DataInputStream(socket.getInputStream());
        this.out = socket.getOutputStream();
        this.handshake = handshake;
    }

    /** Opens {@code path} with {@code extraHeaders} ("Name: value" lines); the answer may be a refusal (see {@link #upgraded}). */
    static RawWebSocket open(int port, String path, String... extraHeaders) throws IOException {
        Socket s = new Socket();
        s.connect(new InetSocketAddress("127.0.0.1", port), 5000);
        s.setSoTimeout(10_000);
        byte[] nonce = new byte[16];
        ThreadLocalRandom.current().nextBytes(nonce);
        StringBuilder req = new StringBuilder("GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1:" + port + "\r\n")
                .append("Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\n")
                .append("Sec-WebSocket-Key: ")
                .append(Base64.getEncoder().encodeToString(nonce))
                .append("\r\n");
        for (String h : extraHeaders) {
            req.append(h).append("\r\n");
        }
        s.getOutputStream().write(req.append("\r\n").toString().getBytes(StandardCharsets.US_ASCII));
        InputStream in = s.getInputStream();
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        while (!head.toString(StandardCharsets.US_ASCII).endsWith("\r\n\r\n")) {
            int b = in.read();
            if (b < 0) {
                break;
            }
            head.write(b);
        }
        return new RawWebSocket(s, head.toString(StandardCharsets.US_ASCII));
    }

    /** Whether the server switched protocols. */
    boolean upgraded() {
        return handshake.startsWith("HTTP/1.1 101");
    }

    /** Writes one masked frame; {@code rsv1} marks it compressed. */
    void frame(int opcode, boolean fin, boolean rsv1, byte[] payload) throws IOException {
        out.write(header(opcode, fin, rsv1, payload.length));
        byte[] mask = new byte[4];
        ThreadLocalRandom.current().nextBytes(mask);
        out.write(mask);
        byte[] masked = payload.clone();
        for (int i = 0; i < masked.length; i++) {
            masked[i] ^= mask[i & 3];
        }
        out.write(masked);
        out.flush();
    }

    /** Writes only a frame's header, claiming {@code length} bytes that never come (beyond {@code some}). */
    void frameHeaderOnly(int opcode, long length, int some) throws IOException {
        out.write(header(opcode, true, false, length));
        out.write(new byte[4]);
        out.write(new byte[some]);
        out.flush();
    }

    void text(String s) throws IOException {
        frame(TEXT, true, false, s.getBytes(StandardCharsets.UTF_8));
    }

    void binary(byte[] b) throws IOException {
        frame(BINARY, true, false, b);
    }

    /** The next frame, or null when the connection ended (closed, reset, or silent for {@code timeoutMillis}). */
    Frame read(int timeoutMillis) throws IOException {
        socket.setSoTimeout(timeoutMillis);
        try {
            int b0 = in.readUnsignedByte();
            int b1 = in.readUnsignedByte();
            long len = b1 & 0x7f;
            if (len == 126) {
                len = in.readUnsignedShort();
            } else if (len == 127) {
                len = in.readLong();
            }
            byte[] payload = new byte[(int) len];
            in.readFully(payload);
            return new Frame(b0 & 0x0f, payload);
        } catch (EOFException | SocketTimeoutException | java.net.SocketException e) {
            return null;
        }
    }

    /** Reads until the server closes the connection; true when it did within {@code timeoutMillis}. */
    boolean closedWithin(int timeoutMillis) throws IOException {
        long deadline = System.nanoTime() + timeoutMillis * 1_000_000L;
        socket.setSoTimeout(Math.max(1, timeoutMillis));
        try {
            byte[] sink = new byte[8192];
            while (System.nanoTime() < deadline) {
                if (in.read(sink) < 0) {
                    return true;
                }
            }
            return false;
        } catch (SocketTimeoutException e) {
            return false;
        } catch (java.net.SocketException e) {
            return true; // reset: closed too
        }
    }

    private static byte[] header(int opcode, boolean fin, boolean rsv1, long length) {
        ByteArrayOutputStream h = new ByteArrayOutputStream();
        h.write((fin ? 0x80 : 0) | (rsv1 ? 0x40 : 0) | opcode);
        if (length < 126) {
            h.write(0x80 | (int) length);
        } else if (length <= 0xffff) {
            h.write(0x80 | 126);
            h.write((int) (length >> 8));
            h.write((int) length);
        } else {
            h.write(0x80 | 127);
            for (int i = 7; i >= 0; i--) {
                h.write((int) (length >> (8 * i)));
            }
        }
        return h.toByteArray();
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
