package org.stargan.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.zip.CRC32;
import java.util.zip.Deflater;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;

/** The PNG writer of the served path: what it writes must decode (with ImageIO's reader) to the very same pixels. */
class PngEncoderTest {
    @Test
    void noiseSmoothAndOddShapesDecodeToTheSamePixels() throws IOException {
        for (int[] wh : new int[][] {{1, 1}, {128, 128}, {3, 200}, {300, 2}, {48, 48}, {257, 129}}) {
            for (boolean noisy : new boolean[] {true, false}) {
                BufferedImage img = image(BufferedImage.TYPE_INT_RGB, wh[0], wh[1], noisy, 7);
                assertSamePixels(img, ImageIO.read(new ByteArrayInputStream(encode(img))), wh[0] + "x" + wh[1]);
            }
        }
    }

    @Test
    void otherOpaqueTypesAndSubimagesAreReadThroughTheirColourModel() throws IOException {
        for (int type : new int[] {BufferedImage.TYPE_3BYTE_BGR, BufferedImage.TYPE_INT_BGR}) {
            BufferedImage img = image(type, 70, 50, false, 3);
            assertSamePixels(img, ImageIO.read(new ByteArrayInputStream(encode(img))), "type " + type);
        }
        // A subimage shares its parent's pixel array at an offset: the direct path must not read the parent's rows.
        BufferedImage parent = image(BufferedImage.TYPE_INT_RGB, 100, 80, true, 5);
        BufferedImage sub = parent.getSubimage(13, 9, 40, 30);
        assertSamePixels(sub, ImageIO.read(new ByteArrayInputStream(encode(sub))), "subimage");
    }

    @Test
    void chunksAreWellFormedWithValidChecksums() throws IOException {
        // 200×200 noise: 120 kB of rows stored, so several IDAT chunks.
        List<String> types = chunkTypes(encode(image(BufferedImage.TYPE_INT_RGB, 200, 200, true, 11)));
        assertEquals("IHDR", types.get(0));
        assertEquals("IEND", types.get(types.size() - 1));
        assertTrue(types.subList(1, types.size() - 1).stream().allMatch("IDAT"::equals), types.toString());
        assertTrue(types.size() > 3, "expected several IDAT chunks: " + types);
    }

    @Test
    void smoothImagesCompressAndNoiseIsStoredRatherThanDeflatedForNothing() throws IOException {
        BufferedImage smooth = image(BufferedImage.TYPE_INT_RGB, 128, 128, false, 1);
        int raw = 128 * (3 * 128 + 1);
        byte[] ours = encode(smooth);
        ByteArrayOutputStream theirs = new ByteArrayOutputStream();
        ImageIO.write(smooth, "png", theirs);
        // The row filters must still find the structure: within half again of ImageIO's five-filter level-4 output.
        assertTrue(ours.length < raw / 4, "smooth image: " + ours.length + " bytes of " + raw + " raw");
        assertTrue(
                ours.length <= 1.5 * theirs.size(),
                "smooth image: " + ours.length + " bytes, ImageIO " + theirs.size());
        byte[] noise = encode(image(BufferedImage.TYPE_INT_RGB, 128, 128, true, 2));
        // Stored blocks: the raw rows plus a few bytes per 64 kB block, framing and the probe's deflated part.
        assertTrue(noise.length > raw && noise.length < raw + 1024, "noise: " + noise.length + " of " + raw);
    }

    @Test
    void residualsWithoutRunsAreCodedAsLiteralsAndDecodeToTheSamePixels() throws IOException {
        // A generator's output: a smooth image with noise of a few levels on every sample, so that the residuals
        // cluster near zero (worth deflating) but seldom repeat (no runs for deflate's string search).
        Random r = new Random(9);
        for (int side : new int[] {48, 128, 256}) {
            BufferedImage img = image(BufferedImage.TYPE_INT_RGB, side, side, false, 1);
            for (int y = 0; y < side; y++) {
                for (int x = 0; x < side; x++) {
                    int p = img.getRGB(x, y);
                    int rgb = 0;
                    for (int shift = 16; shift >= 0; shift -= 8) {
                        int v = Math.max(
                                0, Math.min(255, ((p >> shift) & 0xff) + (int) Math.round(r.nextGaussian() * 4)));
                        rgb |= v << shift;
                    }
                    img.setRGB(x, y, rgb);
                }
            }
            Filtered filtered = Filtered.of(img);
            byte[] rows = filtered.rows();
            int[] histogram = filtered.histogram();
            assertTrue(PngEncoder.worthDeflating(histogram), side + " px: worth deflating");
            assertFalse(PngEncoder.stringsRepeat(histogram), side + " px: no runs");
            byte[] png = encode(img);
            assertSamePixels(img, ImageIO.read(new ByteArrayInputStream(png)), side + " px, ImageIO");
            assertSamePixels(img, ImageCodec.decode(png, "literals"), side + " px, PngDecoder");
            assertEquals(List.of("IHDR", "IDAT", "IEND"), chunkTypes(png), side + " px");
            // Literals alone code these rows smaller than zlib's level 1 does (whose stream the PNG would otherwise
            // hold, with 57 bytes of signature and chunks around it).
            Deflater zlib = new Deflater(Deflater.BEST_SPEED);
            zlib.setInput(rows);
            zlib.finish();
            int zlibBytes = zlib.deflate(new byte[2 * rows.length]);
            zlib.end();
            assertTrue(png.length - 57 < zlibBytes, side + " px: " + (png.length - 57) + " bytes, zlib " + zlibBytes);
        }
        // The smooth image's residuals come in runs: deflate's string search, which codes it much smaller.
        BufferedImage smooth = image(BufferedImage.TYPE_INT_RGB, 128, 128, false, 1);
        assertTrue(PngEncoder.stringsRepeat(Filtered.of(smooth).histogram()));
    }

    /** An image's rows filtered as PngEncoder filters them, and the histogram of residuals it judges them by. */
    private record Filtered(byte[] rows, int[] histogram) {
        static Filtered of(BufferedImage img) {
            int w = img.getWidth();
            byte[] prev = new byte[3 * w];
            byte[] cur = new byte[3 * w];
            byte[] rows = new byte[(3 * w + 1) * img.getHeight()];
            int[] histogram = new int[256];
            for (int y = 0; y < img.getHeight(); y++) {
                for (int x = 0; x < w; x++) {
                    int p = img.getRGB(x, y);
                    cur[3 * x] = (byte) (p >> 16);
                    cur[3 * x + 1] = (byte) (p >> 8);
                    cur[3 * x + 2] = (byte) p;
                }
                PngEncoder.filter(cur, prev, rows, y * (3 * w + 1), histogram);
                byte[] t = prev;
                prev = cur;
                cur = t;
            }
            return new Filtered(rows, histogram);
        }
    }

    @Test
    void aLargeImageMixingSmoothAndNoisyPartsSwitchesLevelAndStillDecodes() throws IOException {
        // 400 px rows are 1,201 bytes: parts of 218 rows (256 kB). Smooth, then noise, then smooth again: deflated,
        // stored, deflated, each switch made while the stream is open.
        BufferedImage img = image(BufferedImage.TYPE_INT_RGB, 400, 600, false, 4);
        BufferedImage noise = image(BufferedImage.TYPE_INT_RGB, 400, 218, true, 6);
        img.getGraphics().drawImage(noise, 0, 218, null);
        byte[] png = encode(img);
        assertSamePixels(img, ImageIO.read(new ByteArrayInputStream(png)), "mixed");
        int noiseBytes = 218 * 1201;
        assertTrue(png.length > noiseBytes && png.length < noiseBytes + 60_000, png.length + " bytes");
    }

    @Test
    void imagesWithAlphaOrGreyStayWithImageIo() throws IOException {
        BufferedImage argb = new BufferedImage(20, 10, BufferedImage.TYPE_INT_ARGB);
        argb.setRGB(3, 4, 0x80112233);
        assertFalse(PngEncoder.canEncode(argb));
        assertFalse(PngEncoder.canEncode(new BufferedImage(4, 4, BufferedImage.TYPE_BYTE_GRAY)));
        IllegalArgumentException e =
                assertThrows(IllegalArgumentException.class, () -> PngEncoder.write(argb, new ByteArrayOutputStream()));
        assertTrue(e.getMessage().contains("expected an opaque 8-bit sRGB"), e.getMessage());
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ImageCodec.write(argb, "a.png", out);
        BufferedImage back = ImageIO.read(new ByteArrayInputStream(out.toByteArray()));
        assertEquals(0x80112233, back.getRGB(3, 4));
    }

    private static byte[] encode(BufferedImage img) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        PngEncoder.write(img, out);
        return out.toByteArray();
    }

    /** Noise, or smooth gradients with a few flat areas, as a generator's output or a face might be. */
    private static BufferedImage image(int type, int w, int h, boolean noisy, long seed) {
        Random r = new Random(seed);
        BufferedImage img = new BufferedImage(w, h, type);
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                int rgb = noisy
                        ? r.nextInt(1 << 24)
                        : ((x * 255 / Math.max(1, w - 1)) << 16)
                                | ((y * 255 / Math.max(1, h - 1)) << 8)
                                | ((x / 16 + y / 16) % 2 == 0 ? 40 : 200);
                img.setRGB(x, y, rgb);
            }
        }
        return img;
    }

    private static void assertSamePixels(BufferedImage want, BufferedImage got, String what) {
        assertEquals(want.getWidth(), got.getWidth(), what);
        assertEquals(want.getHeight(), got.getHeight(), what);
        int w = want.getWidth();
        int h = want.getHeight();
        assertArrayEquals(want.getRGB(0, 0, w, h, null, 0, w), got.getRGB(0, 0, w, h, null, 0, w), what);
    }

    private static List<String> chunkTypes(byte[] png) {
        ByteBuffer b = ByteBuffer.wrap(png);
        byte[] sig = new byte[8];
        b.get(sig);
        assertArrayEquals(new byte[] {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'}, sig);
        List<String> types = new ArrayList<>();
        while (b.hasRemaining()) {
            int len = b.getInt();
            byte[] typeAndData = new byte[4 + len];
            b.get(typeAndData);
            CRC32 crc = new CRC32();
            crc.update(typeAndData);
            String type = new String(typeAndData, 0, 4, StandardCharsets.US_ASCII);
            assertEquals((int) crc.getValue(), b.getInt(), "CRC of " + type);
            types.add(type);
        }
        return types;
    }
}
