package org.stargan.ckpt;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;

/**
 * The byte-level reads of a pickle stream: fixed-size integers, length-prefixed and newline-terminated fields, each
 * bounded by the file's size so a hostile length cannot make us allocate more than the file holds, and every error
 * naming the byte it happened at.
 */
final class PickleInput {
    private final InputStream in;
    private final String source;
    private final long sizeLimit;
    private long position;

    PickleInput(InputStream in, String source, long sizeLimit) {
        this.in = in;
        this.source = source;
        this.sizeLimit = sizeLimit;
    }

    Object longN(int n) throws IOException {
        if (n < 0 || n > 64) {
            throw bad("integer of " + n + " bytes");
        }
        byte[] le = bytes(n);
        if (n == 0) {
            return 0L;
        }
        byte[] be = new byte[n];
        for (int i = 0; i < n; i++) {
            be[i] = le[n - 1 - i];
        }
        BigInteger v = new BigInteger(be);
        // Only the legacy format's magic number is this large; it is compared, never used as a size.
        return v.bitLength() > 63 ? v : (Object) v.longValue();
    }

    long parseLong(String s) {
        try {
            return Long.parseLong(s.trim());
        } catch (NumberFormatException e) {
            throw bad("not an integer: '" + s + "'");
        }
    }

    int u8() throws IOException {
        int b = in.read();
        if (b < 0) {
            throw new CheckpointFormatException(
                    source + ": truncated (the pickle ends at byte " + position + " without STOP)");
        }
        position++;
        return b;
    }

    int i32() throws IOException {
        return (u8() << 24) | (u8() << 16) | (u8() << 8) | u8();
    }

    int len32() throws IOException {
        long n = Integer.toUnsignedLong(Integer.reverseBytes(i32()));
        return checkedLength(n);
    }

    int len64() throws IOException {
        long n = 0;
        for (int i = 0; i < 8; i++) {
            n |= (long) u8() << (8 * i);
        }
        return checkedLength(n);
    }

    int checkedLength(long n) {
        if (n < 0 || n > sizeLimit || n > Integer.MAX_VALUE - 8) {
            throw bad("a string of " + n + " bytes in a file of " + sizeLimit);
        }
        return (int) n;
    }

    byte[] bytes(int n) throws IOException {
        byte[] b = in.readNBytes(n);
        position += b.length;
        if (b.length != n) {
            throw new CheckpointFormatException(
                    source + ": truncated (needed " + n + " bytes at byte " + position + ")");
        }
        return b;
    }

    String line() throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (int b = u8(); b != '\n'; b = u8()) {
            if (out.size() > 4096) {
                throw bad("a text field longer than 4096 bytes");
            }
            out.write(b);
        }
        return out.toString(StandardCharsets.UTF_8);
    }

    CheckpointFormatException bad(String what) {
        return new CheckpointFormatException(source + ": " + what + " (at byte " + position + ")");
    }
}
