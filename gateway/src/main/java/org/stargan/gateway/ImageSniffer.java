package org.stargan.gateway;

import io.vertx.core.buffer.Buffer;
import org.stargan.msg.Protocol;

/**
 * What an upload really is, read from its first bytes rather than from its name or Content-Type, and how many pixels
 * it claims — without decoding it. A 50-byte PNG can claim 100000×100000 pixels (40 GB once decoded); the gateway
 * refuses it here, before any worker allocates anything. NPY needs no such check: its data is all in the body, so
 * the body limit bounds it.
 */
final class ImageSniffer {
    /**
     * An upload's real type and claimed size.
     *
     * @param mediaType {@link Protocol#PNG}, {@link Protocol#JPEG} or {@link Protocol#NPY}
     * @param width claimed width in pixels (0 for NPY)
     * @param height claimed height in pixels (0 for NPY)
     */
    record Sniffed(String mediaType, int width, int height) {
        long pixels() {
            return (long) width * height;
        }
    }

    private static final byte[] PNG_SIGNATURE = {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
    /** Start of image, then the first marker's 0xFF. */
    private static final byte[] JPEG_SOI = {(byte) 0xff, (byte) 0xd8, (byte) 0xff};

    private static final byte[] NPY_MAGIC = {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y'};

    private ImageSniffer() {}

    /**
     * Reads the type and header of {@code b}: null when it is no PNG, JPEG or NPY at all; fails naming {@code field}
     * when it is one but its header is cut short or damaged.
     */
    static Sniffed sniff(Buffer b, String field) {
        String type = mediaType(b);
        if (Protocol.PNG.equals(type)) {
            // The first chunk must be IHDR: length (4), "IHDR", width (4), height (4).
            if (b.length() < 24 || !b.getString(12, 16, "ISO-8859-1").equals("IHDR")) {
                throw new IllegalArgumentException(field + ": PNG without its IHDR header (truncated or damaged)");
            }
            return new Sniffed(Protocol.PNG, b.getInt(16), b.getInt(20));
        }
        if (Protocol.JPEG.equals(type)) {
            return jpeg(b, field);
        }
        return type == null ? null : new Sniffed(Protocol.NPY, 0, 0);
    }

    /** The type by the first bytes alone: {@link Protocol#PNG}, {@link Protocol#JPEG}, {@link Protocol#NPY} or null. */
    static String mediaType(Buffer b) {
        if (startsWith(b, PNG_SIGNATURE)) {
            return Protocol.PNG;
        }
        if (startsWith(b, JPEG_SOI)) {
            return Protocol.JPEG;
        }
        return startsWith(b, NPY_MAGIC) ? Protocol.NPY : null;
    }

    /** Walks the JPEG's marker segments to the first start-of-frame, which holds the size. */
    private static Sniffed jpeg(Buffer b, String field) {
        int p = 2;
        while (p + 4 <= b.length()) {
            if ((b.getByte(p) & 0xff) != 0xff) {
                throw new IllegalArgumentException(
                        field + ": JPEG with a damaged header (no marker at byte " + p + ")");
            }
            int marker = b.getByte(p + 1) & 0xff;
            if (marker == 0xff) {
                p++; // fill byte
                continue;
            }
            int length = b.getUnsignedShort(p + 2);
            // SOF0..SOF15 carry the frame size; C4 (DHT), C8 (reserved) and CC (DAC) share the range but do not.
            if (marker >= 0xc0 && marker <= 0xcf && marker != 0xc4 && marker != 0xc8 && marker != 0xcc) {
                if (p + 9 > b.length()) {
                    break;
                }
                return new Sniffed(Protocol.JPEG, b.getUnsignedShort(p + 7), b.getUnsignedShort(p + 5));
            }
            if (marker == 0xda || length < 2) {
                throw new IllegalArgumentException(field + ": JPEG without a frame header before its image data");
            }
            p += 2 + length;
        }
        throw new IllegalArgumentException(field + ": JPEG cut short before its frame header (truncated)");
    }

    private static boolean startsWith(Buffer b, byte[] prefix) {
        if (b.length() < prefix.length) {
            return false;
        }
        for (int i = 0; i < prefix.length; i++) {
            if (b.getByte(i) != prefix[i]) {
                return false;
            }
        }
        return true;
    }

    /** The first bytes in hex, for a message about an unrecognised upload. */
    static String firstBytes(Buffer b) {
        StringBuilder s = new StringBuilder();
        for (int i = 0; i < Math.min(8, b.length()); i++) {
            s.append(String.format("%02x", b.getByte(i) & 0xff));
        }
        return s.length() == 0 ? "none" : s.toString();
    }
}
