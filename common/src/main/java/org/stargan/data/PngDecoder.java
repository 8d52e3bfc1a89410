package org.stargan.data;

import java.awt.image.BufferedImage;
import java.awt.image.DataBufferByte;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.zip.DataFormatException;
import java.util.zip.Inflater;

/**
 * Decodes the PNGs a service mostly receives, 8-bit RGB or RGBA without interlacing, colour profile or transparency
 * chunk, into the image ImageIO's reader makes of them (TYPE_3BYTE_BGR or TYPE_4BYTE_ABGR), inflating and unfiltering
 * each row into the image's own bytes. ImageIO's reader copied every row into the raster through its per-row API and
 * looked its reader up per image: in the worker's profile at 128 px its reading was 99 of the 347 samples of a served
 * request's preparation, 43 of them not inflating. Any other PNG is left to ImageIO ({@link #decode} returns null).
 */
final class PngDecoder {
    private static final int RGB = 2;
    private static final int RGBA = 6;
    /** Rows inflated per call into zlib, at most this many bytes of them (at least one row). */
    private static final int BLOCK_BYTES = 1 << 16;

    private PngDecoder() {}

    /** Whether {@code bytes} begin as a PNG does. */
    static boolean isPng(byte[] bytes) {
        int n = PngEncoder.SIGNATURE.length;
        return bytes.length >= n && Arrays.equals(bytes, 0, n, PngEncoder.SIGNATURE, 0, n);
    }

    /**
     * The image, or null for a PNG this decoder leaves to ImageIO (other colour types or depths, interlaced, an iCCP or
     * tRNS chunk, sides beyond {@code maxSide}) and for bytes whose header is not a PNG's.
     *
     * @throws IOException when the PNG is damaged or truncated, naming what is wrong
     */
    static BufferedImage decode(byte[] png, int maxSide) throws IOException {
        if (!isPng(png) || png.length < 33 || !type(png, 12).equals("IHDR") || readInt(png, 8) != 13) {
            return null;
        }
        int w = readInt(png, 16);
        int h = readInt(png, 20);
        int depth = png[24];
        int colourType = png[25];
        if (w < 1 || h < 1 || w > maxSide || h > maxSide || depth != 8 || (colourType != RGB && colourType != RGBA)) {
            return null;
        }
        if (png[26] != 0 || png[27] != 0 || png[28] != 0) {
            return null; // another compression or filter method, or interlaced
        }
        List<int[]> idat = new ArrayList<>();
        for (int at = 33; ; ) {
            if (at + 8 > png.length) {
                throw new IOException("PNG ends after " + at + " bytes, without its IEND chunk");
            }
            int length = readInt(png, at);
            String type = type(png, at + 4);
            if (length < 0 || (long) at + 12 + length > png.length) {
                throw new IOException(type + " chunk of " + length + " bytes at byte " + at + " runs past the end");
            }
            switch (type) {
                case "IDAT" -> idat.add(new int[] {at + 8, length});
                case "iCCP", "tRNS" -> {
                    return null; // a colour profile or transparency: ImageIO's colour model for them
                }
                case "IEND" -> {
                    return image(png, idat, w, h, colourType == RGBA ? 4 : 3);
                }
                default -> {
                    // ancillary chunks (gAMA, sRGB, pHYs, text, ...) change nothing ImageIO's pixels show
                }
            }
            at += 12 + length;
        }
    }

    private static BufferedImage image(byte[] png, List<int[]> idat, int w, int h, int channels) throws IOException {
        int stride = w * channels;
        // As ImageIO's reader makes 8-bit RGB(A) PNGs: TYPE_3BYTE_BGR and TYPE_4BYTE_ABGR, each pixel's bytes reversed.
        BufferedImage img =
                new BufferedImage(w, h, channels == 4 ? BufferedImage.TYPE_4BYTE_ABGR : BufferedImage.TYPE_3BYTE_BGR);
        byte[] pixels = ((DataBufferByte) img.getRaster().getDataBuffer()).getData();
        // Inflated a block of rows at a time (one call into zlib per row cost as much as the inflating at 128 px).
        int rowBytes = 1 + stride;
        byte[] block = new byte[Math.min(h, Math.max(1, BLOCK_BYTES / rowBytes)) * rowBytes];
        byte[] above = new byte[stride];
        byte[] row = new byte[stride];
        Inflater inflater = new Inflater();
        try {
            int next = 0;
            for (int y0 = 0; y0 < h; ) {
                int want = Math.min(block.length, (h - y0) * rowBytes);
                for (int got = 0; got < want; ) {
                    int n = inflater.inflate(block, got, want - got);
                    got += n;
                    if (n == 0 && got < want) {
                        int y = y0 + got / rowBytes;
                        if (inflater.finished() || inflater.needsDictionary() || !inflater.needsInput()) {
                            throw new IOException("image data ends in row " + y + " of " + h);
                        }
                        if (next == idat.size()) {
                            throw new IOException("image data ends in row " + y + " of " + h + " (no more IDAT)");
                        }
                        int[] chunk = idat.get(next++);
                        inflater.setInput(png, chunk[0], chunk[1]);
                    }
                }
                for (int r = 0; r < want / rowBytes; r++, y0++) {
                    unfilter(block, r * rowBytes, above, row, channels);
                    reverseEachPixel(row, pixels, y0 * stride, channels);
                    byte[] t = above;
                    above = row;
                    row = t;
                }
            }
        } catch (DataFormatException e) {
            throw new IOException("image data not deflate: " + e.getMessage(), e);
        } finally {
            inflater.end();
        }
        return img;
    }

    /**
     * Undoes a row's filter (the PNG specification, section 9): at {@code at} in {@code block} the filter type and the
     * row's bytes, {@code above} the row above unfiltered (zeros for the first), {@code bpp} bytes per pixel.
     */
    static void unfilter(byte[] block, int at, byte[] above, byte[] out, int bpp) throws IOException {
        int stride = out.length;
        int f = at + 1; // the row's first byte
        switch (block[at]) {
            case 0 -> System.arraycopy(block, f, out, 0, stride);
            case 1 -> {
                System.arraycopy(block, f, out, 0, Math.min(bpp, stride));
                for (int i = bpp; i < stride; i++) {
                    out[i] = (byte) (block[f + i] + out[i - bpp]);
                }
            }
            case 2 -> {
                for (int i = 0; i < stride; i++) {
                    out[i] = (byte) (block[f + i] + above[i]);
                }
            }
            case 3 -> {
                for (int i = 0; i < stride; i++) {
                    int left = i >= bpp ? out[i - bpp] & 0xff : 0;
                    out[i] = (byte) (block[f + i] + ((left + (above[i] & 0xff)) >>> 1));
                }
            }
            case 4 -> {
                for (int i = 0; i < stride; i++) {
                    int a = i >= bpp ? out[i - bpp] & 0xff : 0;
                    int c = i >= bpp ? above[i - bpp] & 0xff : 0;
                    out[i] = (byte) (block[f + i] + paeth(a, above[i] & 0xff, c));
                }
            }
            default -> throw new IOException("row filter type " + (block[at] & 0xff) + ", expected 0..4");
        }
    }

    /** RGB(A) to the image's BGR (ABGR): each pixel's bytes in reverse order. */
    private static void reverseEachPixel(byte[] row, byte[] pixels, int at, int bpp) {
        if (bpp == 3) {
            for (int i = 0, o = at; i < row.length; i += 3, o += 3) {
                pixels[o] = row[i + 2];
                pixels[o + 1] = row[i + 1];
                pixels[o + 2] = row[i];
            }
        } else {
            for (int i = 0, o = at; i < row.length; i += 4, o += 4) {
                pixels[o] = row[i + 3];
                pixels[o + 1] = row[i + 2];
                pixels[o + 2] = row[i + 1];
                pixels[o + 3] = row[i];
            }
        }
    }

    private static int paeth(int a, int b, int c) {
        int p = a + b - c;
        int pa = Math.abs(p - a);
        int pb = Math.abs(p - b);
        int pc = Math.abs(p - c);
        return pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
    }

    private static int readInt(byte[] b, int at) {
        return ((b[at] & 0xff) << 24) | ((b[at + 1] & 0xff) << 16) | ((b[at + 2] & 0xff) << 8) | (b[at + 3] & 0xff);
    }

    private static String type(byte[] b, int at) {
        return new String(b, at, 4, java.nio.charset.StandardCharsets.ISO_8859_1);
    }
}
