package org.stargan.data;

import static org.assertj.core.api.Assertions.assertThat;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.util.Random;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;

/** The pixel paths of {@link ImageCodec}: the direct reads and writes give what Java2D's per-pixel calls give. */
class ImageCodecTest {
    private static final int W = 37;
    private static final int H = 29;

    /**
     * Each layout gives what the per-pixel path gives: resized (crop 0, size 24), at the model's size already (crop 0,
     * size 29: read straight into the tensor) and centre-cropped to it (crop 20, size 20).
     */
    @Test
    void everyLayoutReadsTheSameTensorAsPerPixelGetRgb() throws Exception {
        for (int[] cropSize : new int[][] {{0, 24}, {0, H}, {20, 20}}) {
            everyLayoutReadsTheSameTensorAsPerPixelGetRgb(cropSize[0], cropSize[1]);
        }
    }

    private static void everyLayoutReadsTheSameTensorAsPerPixelGetRgb(int crop, int size) throws Exception {
        BufferedImage src = noise(W, H, 1);
        float[] expected = reference(src, crop, size);
        for (int type : new int[] {
            BufferedImage.TYPE_3BYTE_BGR,
            BufferedImage.TYPE_4BYTE_ABGR,
            BufferedImage.TYPE_INT_RGB,
            BufferedImage.TYPE_INT_ARGB
        }) {
            BufferedImage img = new BufferedImage(W, H, type);
            img.getGraphics().drawImage(src, 0, 0, null);
            assertThat(ImageCodec.toTensor(img, crop, size).chw())
                    .as("type %d, crop %d, size %d", type, crop, size)
                    .containsExactly(expected);
        }
        // As ImageIO decodes them: PNG RGB and RGBA (interleaved bytes in R, G, B order), and JPEG's own colours.
        for (String format : new String[] {"png", "jpg"}) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            ImageIO.write(src, format, out);
            BufferedImage decoded = ImageCodec.decode(out.toByteArray(), format);
            assertThat(ImageCodec.toTensor(decoded, crop, size).chw())
                    .as("%s, crop %d, size %d", format, crop, size)
                    .containsExactly(reference(decoded, crop, size));
        }
        BufferedImage rgba = new BufferedImage(W, H, BufferedImage.TYPE_INT_ARGB);
        rgba.getGraphics().drawImage(src, 0, 0, null);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ImageIO.write(rgba, "png", out);
        assertThat(ImageCodec.toTensor(ImageCodec.decode(out.toByteArray(), "rgba"), crop, size)
                        .chw())
                .containsExactly(expected);
    }

    /** Every byte value, read at the model's size, becomes ToTensor's v / 255 then Normalize(0.5, 0.5)'s · 2 − 1. */
    @Test
    void atTheModelsSizeEveryByteScalesAsToTensorThenNormalize() {
        BufferedImage img = new BufferedImage(16, 16, BufferedImage.TYPE_3BYTE_BGR);
        for (int v = 0; v < 256; v++) {
            // red v, green its complement, blue v again rotated: every value in every channel
            img.setRGB(v % 16, v / 16, (v << 16) | ((255 - v) << 8) | ((v + 85) & 0xff));
        }
        float[] chw = ImageCodec.toTensor(img, 0, 16).chw();
        for (int v = 0; v < 256; v++) {
            assertThat(chw[v]).isEqualTo(v / 255f * 2f - 1f);
            assertThat(chw[256 + v]).isEqualTo((255 - v) / 255f * 2f - 1f);
            assertThat(chw[512 + v]).isEqualTo(((v + 85) & 0xff) / 255f * 2f - 1f);
        }
    }

    @Test
    void toImageWritesWhatSetRgbWould() {
        float[] chw = new float[3 * H * W + 5];
        Random r = new Random(3);
        for (int i = 0; i < chw.length; i++) {
            chw[i] = r.nextFloat() * 2.4f - 1.2f; // beyond [-1, 1] too: clamped
        }
        BufferedImage img = ImageCodec.toImage(chw, 5, H, W);
        int plane = H * W;
        for (int y = 0; y < H; y++) {
            for (int x = 0; x < W; x++) {
                int i = 5 + y * W + x;
                int expected = (to8bit(chw[i]) << 16) | (to8bit(chw[i + plane]) << 8) | to8bit(chw[i + 2 * plane]);
                assertThat(img.getRGB(x, y) & 0xffffff).as("pixel %d,%d", x, y).isEqualTo(expected);
            }
        }
    }

    /** The tensor as the per-pixel getRGB reading gave it: through an INT_RGB copy, which takes the fallback path. */
    private static float[] reference(BufferedImage img, int crop, int size) {
        int[] argb = img.getRGB(0, 0, img.getWidth(), img.getHeight(), null, 0, img.getWidth());
        BufferedImage packed = new BufferedImage(img.getWidth(), img.getHeight(), BufferedImage.TYPE_INT_RGB);
        packed.setRGB(0, 0, img.getWidth(), img.getHeight(), argb, 0, img.getWidth());
        return ImageCodec.toTensor(packed, crop, size).chw();
    }

    private static BufferedImage noise(int w, int h, long seed) {
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        Random r = new Random(seed);
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                img.setRGB(x, y, r.nextInt(1 << 24));
            }
        }
        return img;
    }

    @Test
    void writePngGivesThePixelsOfToImage() throws Exception {
        Random r = new Random(9);
        int offset = 5;
        float[] chw = new float[offset + 3 * H * W];
        for (int i = 0; i < chw.length; i++) {
            // Beyond [-1, 1] on both sides, and a NaN: the clamping must be the same too.
            chw[i] = (float) (r.nextGaussian() * 0.8);
        }
        chw[offset + 7] = Float.NaN;
        BufferedImage expected = ImageCodec.toImage(chw, offset, H, W);
        ByteArrayOutputStream png = new ByteArrayOutputStream();
        ImageCodec.writePng(chw, offset, H, W, png);
        BufferedImage got = ImageIO.read(new java.io.ByteArrayInputStream(png.toByteArray()));
        assertThat(got.getWidth()).isEqualTo(W);
        assertThat(got.getHeight()).isEqualTo(H);
        assertThat(got.getRGB(0, 0, W, H, null, 0, W)).containsExactly(expected.getRGB(0, 0, W, H, null, 0, W));
    }

    @Test
    void to8bitIsTheClampedDefinitionForEveryFloat() {
        // Every 97th bit pattern (44 million floats: all exponents, both signs, NaNs and infinities) and the edges.
        for (long bits = 0; bits <= 0xffffffffL; bits += 97) {
            float v = Float.intBitsToFloat((int) bits);
            if (ImageCodec.to8bit(v) != clamped(v)) {
                assertThat(ImageCodec.to8bit(v)).as("to8bit(%s)", v).isEqualTo(clamped(v));
            }
        }
        for (float v : new float[] {-1f, -0f, 0f, 1f, Math.nextDown(1f), Math.nextUp(-1f), Float.NaN, 0.99607843f}) {
            assertThat(ImageCodec.to8bit(v)).as("to8bit(%s)", v).isEqualTo(clamped(v));
        }
    }

    /** save_image's mapping as first written, with Math.min/max. */
    private static int clamped(float v) {
        float s = (v + 1f) / 2f;
        s = Math.max(0f, Math.min(1f, s));
        return (int) Math.max(0, Math.min(255, s * 255f + 0.5f));
    }

    /**
     * The resize, its filter computed once and applied as the rows are read, gives exactly what computing each tap's
     * weight per pixel gives (the definition below), then ToTensor and Normalize's scaling: shrinking, enlarging, at
     * awkward ratios, with rows left over after the groups of four, on both reading paths (interleaved bytes, getRGB)
     * and centre-cropped from a wider image.
     */
    @Test
    void resizedTensorMatchesPerPixelWeights() {
        Random rnd = new Random(7);
        for (int[] nm : new int[][] {{128, 48}, {178, 128}, {37, 24}, {48, 128}, {5, 3}, {3, 7}, {256, 1}}) {
            int n = nm[0];
            int m = nm[1];
            int margin = 3; // the square is cropped from the middle of an (n + 2·margin) × n image
            BufferedImage img = new BufferedImage(n + 2 * margin, n, BufferedImage.TYPE_3BYTE_BGR);
            float[][] planes = new float[3][n * n];
            for (int y = 0; y < n; y++) {
                for (int x = 0; x < n + 2 * margin; x++) {
                    int rgb = rnd.nextInt(1 << 24);
                    img.setRGB(x, y, rgb);
                    if (x >= margin && x < n + margin) {
                        for (int c = 0; c < 3; c++) {
                            planes[c][y * n + x - margin] = (rgb >> (16 - 8 * c)) & 0xff;
                        }
                    }
                }
            }
            float[] expected = new float[3 * m * m];
            for (int c = 0; c < 3; c++) {
                float[] resized = perPixelResize(planes[c], n, m);
                for (int i = 0; i < resized.length; i++) {
                    expected[c * m * m + i] = resized[i] / 255f * 2f - 1f;
                }
            }
            assertThat(ImageCodec.toTensor(img, 0, m).chw()).as("%d → %d", n, m).containsExactly(expected);
            BufferedImage packed = new BufferedImage(img.getWidth(), n, BufferedImage.TYPE_INT_RGB);
            packed.getGraphics().drawImage(img, 0, 0, null);
            assertThat(ImageCodec.toTensor(packed, 0, m).chw())
                    .as("%d → %d through getRGB", n, m)
                    .containsExactly(expected);
        }
    }

    private static float[] perPixelResize(float[] src, int n, int m) {
        float[] tmp = new float[n * m];
        for (int y = 0; y < n; y++) {
            perPixelResample(src, y * n, 1, n, tmp, y * m, 1, m);
        }
        float[] out = new float[m * m];
        for (int x = 0; x < m; x++) {
            perPixelResample(tmp, x, m, n, out, x, m, m);
        }
        return out;
    }

    private static void perPixelResample(
            float[] in, int inOff, int inStride, int inLen, float[] out, int outOff, int outStride, int outLen) {
        double scale = (double) inLen / outLen;
        double support = Math.max(1.0, scale);
        for (int o = 0; o < outLen; o++) {
            double center = (o + 0.5) * scale;
            int lo = (int) Math.max(0, Math.floor(center - support));
            int hi = (int) Math.min(inLen, Math.ceil(center + support));
            double sum = 0;
            double wsum = 0;
            for (int i = lo; i < hi; i++) {
                double w = 1 - Math.abs((i + 0.5 - center) / support);
                if (w > 0) {
                    sum += w * in[inOff + i * inStride];
                    wsum += w;
                }
            }
            out[outOff + o * outStride] = (float) (wsum > 0 ? sum / wsum : 0);
        }
    }

    private static int to8bit(float v) {
        float s = Math.max(0f, Math.min(1f, (v + 1f) / 2f));
        return (int) Math.max(0, Math.min(255, s * 255f + 0.5f));
    }
}
