package org.stargan.data;

import java.awt.image.BufferedImage;
import java.awt.image.DataBufferInt;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.zip.CRC32;
import java.util.zip.Deflater;

/**
 * Writes opaque images as 8-bit RGB PNG, for the served path where encoding is paid on every request. ImageIO's writer
 * was half of an inference worker's CPU outside the generator at 128 px (its profile): it tries all five row filters
 * on every row through the raster's per-sample API and deflates at level 4, which on a generator's near-noise output
 * buys almost nothing. This one picks each row's filter among None, Sub and Up by the smallest sum of absolute
 * residuals (libpng's heuristic over the cheap filters), deflates at the fastest level, and stores rows whose
 * residuals show they would not shrink instead of spending CPU on them ({@link #worthDeflating}); an image of up to
 * 256 kB of rows (a served answer) whose residuals do not come in runs is coded with literals alone
 * ({@link HuffmanOnlyDeflate}, {@link #stringsRepeat}). The output is a
 * standard PNG any decoder reads. It takes the opaque sRGB image types ({@link #canEncode}); others (alpha, grey,
 * 16-bit) stay with ImageIO.
 */
public final class PngEncoder {
    /** The eight bytes every PNG begins with (PngDecoder recognises PNGs by them). */
    static final byte[] SIGNATURE = {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};

    /** Filtered rows judged (deflated or stored) together: a 128 px image is one part. */
    private static final int PART_BYTES = 256 * 1024;

    /** Estimated compressed ÷ raw above which a part is stored: deflate would save under a tenth. */
    private static final double INCOMPRESSIBLE = 0.9;

    /** The share of zero residuals above which deflate's string search is used ({@link #stringsRepeat}). */
    static final double ZERO_SHARE_FOR_STRINGS = 0.45;

    /** One byte in this many is looked at to choose a row's filter, and counted for the entropy estimate. */
    static final int SAMPLE_STRIDE = 4;

    private static final int NONE = 0;
    private static final int SUB = 1;
    private static final int UP = 2;

    private PngEncoder() {}

    /**
     * Whether {@link #write} takes this image: the opaque 8-bit sRGB types, whose {@code getRGB} is their samples
     * unchanged (a grey image's would pass through a colour conversion).
     */
    public static boolean canEncode(BufferedImage img) {
        int t = img.getType();
        return t == BufferedImage.TYPE_INT_RGB || t == BufferedImage.TYPE_INT_BGR || t == BufferedImage.TYPE_3BYTE_BGR;
    }

    /** Writes {@code img} as an 8-bit RGB PNG. */
    public static void write(BufferedImage img, OutputStream out) throws IOException {
        if (!canEncode(img)) {
            throw new IllegalArgumentException("PngEncoder: image type " + img.getType()
                    + ", expected an opaque 8-bit sRGB one (INT_RGB, INT_BGR, 3BYTE_BGR)");
        }
        write(img.getWidth(), img.getHeight(), rowsOf(img), out);
    }

    /** Fills {@code rgb} (3 × width bytes) with row {@code y}'s R, G, B samples. */
    @FunctionalInterface
    public interface Rows {
        void read(int y, byte[] rgb);
    }

    /** Writes a {@code w} × {@code h} 8-bit RGB PNG whose rows {@code rows} gives, top to bottom, each once. */
    public static void write(int w, int h, Rows rows, OutputStream out) throws IOException {
        write(w, h, rows, true, out);
    }

    /**
     * As {@link #write}, but every compressible part through zlib's string search, never {@link HuffmanOnlyDeflate}:
     * what the literal coding is measured against ({@code ./stargan bench codec}'s {@code *_zlib} figures).
     */
    public static void writeWithStringSearch(int w, int h, Rows rows, OutputStream out) throws IOException {
        write(w, h, rows, false, out);
    }

    private static void write(int w, int h, Rows rows, boolean literalsAllowed, OutputStream out) throws IOException {
        if (w < 1 || h < 1) {
            throw new IllegalArgumentException("PngEncoder: " + w + "×" + h + " pixels, expected at least 1×1");
        }
        out.write(SIGNATURE);
        byte[] ihdr = new byte[13];
        putInt(ihdr, 0, w);
        putInt(ihdr, 4, h);
        ihdr[8] = 8; // bit depth
        ihdr[9] = 2; // colour type: RGB
        // compression 0, filter method 0, no interlace
        chunk(out, "IHDR", ihdr, ihdr.length);
        writeImageData(rows, w, h, literalsAllowed, out);
        chunk(out, "IEND", new byte[0], 0);
    }

    /** An image's rows: TYPE_INT_RGB (what ImageCodec.toImage makes) from its pixel array, others through getRGB. */
    private static Rows rowsOf(BufferedImage img) {
        int w = img.getWidth();
        int[] direct = img.getType() == BufferedImage.TYPE_INT_RGB
                        && img.getRaster().getDataBuffer() instanceof DataBufferInt db
                        && db.getNumBanks() == 1
                        && img.getRaster().getSampleModelTranslateX() == 0
                        && img.getRaster().getSampleModelTranslateY() == 0
                        && img.getRaster().getWidth() == w
                ? db.getData()
                : null;
        if (direct != null) {
            return (y, rgb) -> toBytes(direct, y * w, w, rgb);
        }
        int[] argb = new int[w];
        return (y, rgb) -> {
            img.getRGB(0, y, w, 1, argb, 0, w);
            toBytes(argb, 0, w, rgb);
        };
    }

    private static void writeImageData(Rows source, int w, int h, boolean literalsAllowed, OutputStream out)
            throws IOException {
        int stride = 3 * w;
        int rowBytes = stride + 1;
        int rowsPerPart = Math.max(1, PART_BYTES / rowBytes);
        byte[] part = new byte[Math.min(h, rowsPerPart) * rowBytes];
        byte[] prev = new byte[stride];
        byte[] cur = new byte[stride];
        int[] histogram = new int[256];
        // Made at first use: an image coded whole by HuffmanOnlyDeflate needs neither zlib's state nor this buffer.
        IdatWriter idat = null;
        Deflater deflater = null;
        int level = Deflater.BEST_SPEED;
        try {
            for (int y0 = 0; y0 < h; y0 += rowsPerPart) {
                int rows = Math.min(rowsPerPart, h - y0);
                java.util.Arrays.fill(histogram, 0);
                for (int r = 0; r < rows; r++) {
                    source.read(y0 + r, cur);
                    filter(cur, prev, part, r * rowBytes, histogram);
                    byte[] t = prev;
                    prev = cur;
                    cur = t;
                }
                int want = worthDeflating(histogram) ? Deflater.BEST_SPEED : Deflater.NO_COMPRESSION;
                if (literalsAllowed && rows == h && want == Deflater.BEST_SPEED && !stringsRepeat(histogram)) {
                    // The whole image in one part, its residuals noisy: literals alone code it as small, in a
                    // fraction of zlib's time (HuffmanOnlyDeflate says why).
                    byte[] z = HuffmanOnlyDeflate.zlib(part, 0, rows * rowBytes, histogram);
                    chunk(out, "IDAT", z, z.length);
                    return;
                }
                if (deflater == null) {
                    idat = new IdatWriter(out, Math.max(1024, Math.min(1 << 16, part.length)));
                    deflater = new Deflater(want);
                    level = want;
                }
                if (want != level) {
                    // Takes effect after one call that ends the block so far (Deflater.setLevel), so make it now.
                    level = want;
                    deflater.setLevel(level);
                    while (idat.deflateFrom(deflater)) {
                        // the block so far did not fit the chunk's space left: again into the next chunk
                    }
                }
                boolean last = y0 + rows == h;
                deflater.setInput(part, 0, rows * rowBytes);
                if (last) {
                    deflater.finish();
                }
                while (!deflater.needsInput() || (last && !deflater.finished())) {
                    idat.deflateFrom(deflater);
                }
            }
            if (idat != null) {
                idat.close();
            }
        } finally {
            if (deflater != null) {
                deflater.end();
            }
        }
    }

    /**
     * Whether deflate would shrink these filtered rows by a tenth or more, judged by their bytes' entropy: what a
     * Huffman code alone could reach, and near what deflate reaches on noise, where repeated strings are rare. A
     * generator's near-noise output (or a noisy photo) is then stored at memory speed instead of deflated for a few
     * percent; smooth images, whose residuals cluster near zero, are deflated.
     */
    static boolean worthDeflating(int[] histogram) {
        long len = total(histogram);
        double bits = 0;
        for (int c : histogram) {
            if (c > 0) {
                bits -= c * Math.log((double) c / len);
            }
        }
        bits /= Math.log(2);
        return bits / 8 < INCOMPRESSIBLE * len;
    }

    /**
     * Whether deflate's search for repeated strings pays on these filtered rows, judged by the share of zero residuals
     * (flat or evenly shaded areas, which come in runs): above {@value #ZERO_SHARE_FOR_STRINGS}. The web UI's synthetic
     * faces are above it (coded with literals alone they came out a quarter to twice as large); the demo generator's
     * answers and photos are below, where literals alone are within −12% and +6% of zlib's level 1 in bytes and
     * mostly two to three times as fast ({@code ./stargan bench codec --image FILE --size N}: {@code result_png_*}
     * against {@code result_zlib_*}; the README lists them).
     */
    static boolean stringsRepeat(int[] histogram) {
        return histogram[0] > ZERO_SHARE_FOR_STRINGS * total(histogram);
    }

    private static long total(int[] histogram) {
        long len = 0;
        for (int c : histogram) {
            len += c;
        }
        return len;
    }

    /** 0xRRGGBB ints to R, G, B bytes. */
    private static void toBytes(int[] px, int from, int w, byte[] rgb) {
        for (int x = 0, i = from, o = 0; x < w; x++, i++, o += 3) {
            int p = px[i];
            rgb[o] = (byte) (p >> 16);
            rgb[o + 1] = (byte) (p >> 8);
            rgb[o + 2] = (byte) p;
        }
    }

    /**
     * Writes the filter type and the filtered row to {@code out} at {@code off}: None, Sub or Up, whichever has the
     * smallest sum of absolute residuals (as signed bytes; libpng's predictor of deflate's output among cheap
     * measures) over a sample of the row; counts every {@value #SAMPLE_STRIDE}th residual in {@code histogram}.
     */
    static void filter(byte[] cur, byte[] prev, byte[] out, int off, int[] histogram) {
        // Judged on every fourth byte from the second pixel on: a fraction of the cost of all of them (the loop does
        // not vectorise), and the choice among three filters needs only their order.
        int sumNone = 0;
        int sumSub = 0;
        int sumUp = 0;
        for (int i = 3; i < cur.length; i += SAMPLE_STRIDE) {
            int v = cur[i];
            sumNone += Math.abs(v);
            sumSub += Math.abs((byte) (v - cur[i - 3]));
            sumUp += Math.abs((byte) (v - prev[i]));
        }
        int type = sumUp <= sumSub && sumUp <= sumNone ? UP : sumSub <= sumNone ? SUB : NONE;
        out[off] = (byte) type;
        int o = off + 1;
        switch (type) {
            case UP -> {
                for (int i = 0; i < cur.length; i++) {
                    out[o + i] = (byte) (cur[i] - prev[i]);
                }
            }
            case SUB -> {
                System.arraycopy(cur, 0, out, o, Math.min(3, cur.length));
                for (int i = 3; i < cur.length; i++) {
                    out[o + i] = (byte) (cur[i] - cur[i - 3]);
                }
            }
            default -> System.arraycopy(cur, 0, out, o, cur.length);
        }
        // Every fourth byte is sample enough to judge the entropy, and counting all of them would cost as much as
        // the filtering (each count waits for the one before when residuals repeat).
        for (int i = o; i < o + cur.length; i += SAMPLE_STRIDE) {
            histogram[out[i] & 0xff]++;
        }
    }

    /** Deflates straight into an IDAT chunk's buffer, written out as a chunk each time it fills. */
    private static final class IdatWriter {
        private final OutputStream out;
        private final byte[] buf;
        private int n;

        IdatWriter(OutputStream out, int size) {
            this.out = out;
            this.buf = new byte[size];
        }

        /** One call of {@code d} into the space left; true when it filled that space (it may have more to give). */
        boolean deflateFrom(Deflater d) throws IOException {
            int space = buf.length - n;
            n += d.deflate(buf, n, space, Deflater.NO_FLUSH);
            if (n < buf.length) {
                return false;
            }
            chunk(out, "IDAT", buf, n);
            n = 0;
            return true;
        }

        void close() throws IOException {
            if (n > 0) {
                chunk(out, "IDAT", buf, n);
                n = 0;
            }
        }
    }

    static void chunk(OutputStream out, String type, byte[] data, int len) throws IOException {
        byte[] head = new byte[8];
        putInt(head, 0, len);
        byte[] t = type.getBytes(StandardCharsets.US_ASCII);
        System.arraycopy(t, 0, head, 4, 4);
        out.write(head);
        out.write(data, 0, len);
        CRC32 crc = new CRC32();
        crc.update(t);
        crc.update(data, 0, len);
        byte[] tail = new byte[4];
        putInt(tail, 0, (int) crc.getValue());
        out.write(tail);
    }

    private static void putInt(byte[] b, int off, int v) {
        b[off] = (byte) (v >>> 24);
        b[off + 1] = (byte) (v >>> 16);
        b[off + 2] = (byte) (v >>> 8);
        b[off + 3] = (byte) v;
    }
}
