package org.stargan.face;

import java.io.ByteArrayOutputStream;
import org.opencv.core.Core;
import org.opencv.core.Mat;

/**
 * A JPEG's EXIF block ({@code APP1 "Exif"}) and its orientation tag (0x0112): cameras store pixels as the sensor saw
 * them and say in this tag how to turn them upright. Faces are searched in the upright image; the answer goes back
 * to the stored orientation with the same EXIF block, so it displays as the original did.
 *
 * @param segment the whole APP1 segment (marker, length and payload), or null when the JPEG has none
 * @param orientation 1..8 as EXIF defines it (1: upright)
 */
public record JpegExif(byte[] segment, int orientation) {
    /** No EXIF block: stored upright. */
    public static final JpegExif NONE = new JpegExif(null, 1);

    /** The EXIF block of {@code jpeg} (NONE for another format or a JPEG without one; a damaged tag reads as 1). */
    public static JpegExif read(byte[] jpeg) {
        if (jpeg.length < 4 || (jpeg[0] & 0xff) != 0xFF || (jpeg[1] & 0xff) != 0xD8) {
            return NONE;
        }
        int pos = 2;
        while (pos + 4 <= jpeg.length && (jpeg[pos] & 0xff) == 0xFF) {
            int marker = jpeg[pos + 1] & 0xff;
            if (marker == 0xDA || marker == 0xD9) {
                break; // image data: the metadata segments are over
            }
            int length = u16(jpeg, pos + 2, false);
            if (length < 2 || pos + 2 + length > jpeg.length) {
                break;
            }
            if (marker == 0xE1 && length >= 8 && startsWithExif(jpeg, pos + 4)) {
                byte[] segment = java.util.Arrays.copyOfRange(jpeg, pos, pos + 2 + length);
                return new JpegExif(segment, orientationOf(jpeg, pos + 10, pos + 2 + length));
            }
            pos += 2 + length;
        }
        return NONE;
    }

    private static boolean startsWithExif(byte[] b, int p) {
        return b[p] == 'E' && b[p + 1] == 'x' && b[p + 2] == 'i' && b[p + 3] == 'f' && b[p + 4] == 0 && b[p + 5] == 0;
    }

    /** The orientation tag of the TIFF structure at {@code tiff} (up to {@code end}); 1 when absent or unreadable. */
    private static int orientationOf(byte[] b, int tiff, int end) {
        if (tiff + 8 > end) {
            return 1;
        }
        boolean little = b[tiff] == 'I' && b[tiff + 1] == 'I';
        if (!little && !(b[tiff] == 'M' && b[tiff + 1] == 'M')) {
            return 1;
        }
        long ifd = tiff + u32(b, tiff + 4, little);
        if (ifd + 2 > end) {
            return 1;
        }
        int entries = u16(b, (int) ifd, little);
        for (int i = 0; i < entries; i++) {
            int e = (int) ifd + 2 + 12 * i;
            if (e + 12 > end) {
                return 1;
            }
            if (u16(b, e, little) == 0x0112) {
                int v = u16(b, e + 8, little);
                return v >= 1 && v <= 8 ? v : 1;
            }
        }
        return 1;
    }

    private static int u16(byte[] b, int p, boolean little) {
        return little ? (b[p] & 0xff) | (b[p + 1] & 0xff) << 8 : (b[p] & 0xff) << 8 | (b[p + 1] & 0xff);
    }

    private static long u32(byte[] b, int p, boolean little) {
        long lo = u16(b, little ? p : p + 2, little);
        long hi = u16(b, little ? p + 2 : p, little);
        return hi << 16 | lo;
    }

    /** The stored pixels turned upright (a new Mat; the input when already upright). */
    public Mat upright(Mat stored) {
        return turn(stored, orientation, false);
    }

    /** Upright pixels turned back to how this JPEG stores them. */
    public Mat stored(Mat upright) {
        return turn(upright, orientation, true);
    }

    private static Mat turn(Mat m, int orientation, boolean back) {
        if (orientation == 1) {
            return m;
        }
        Mat out = new Mat();
        switch (orientation) {
            case 2 -> Core.flip(m, out, 1);
            case 3 -> Core.rotate(m, out, Core.ROTATE_180);
            case 4 -> Core.flip(m, out, 0);
            case 5 -> Core.transpose(m, out);
            case 6 -> Core.rotate(m, out, back ? Core.ROTATE_90_COUNTERCLOCKWISE : Core.ROTATE_90_CLOCKWISE);
            case 7 -> {
                Mat t = new Mat();
                Core.transpose(m, t);
                Core.rotate(t, out, Core.ROTATE_180);
            }
            case 8 -> Core.rotate(m, out, back ? Core.ROTATE_90_CLOCKWISE : Core.ROTATE_90_COUNTERCLOCKWISE);
            default -> throw new IllegalStateException("orientation " + orientation);
        }
        return out;
    }

    /** {@code jpeg} (as an encoder wrote it) with this EXIF block inserted right after its start marker. */
    public byte[] insertInto(byte[] jpeg) {
        if (segment == null) {
            return jpeg;
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream(jpeg.length + segment.length);
        out.write(jpeg, 0, 2);
        out.write(segment, 0, segment.length);
        out.write(jpeg, 2, jpeg.length - 2);
        return out.toByteArray();
    }
}
