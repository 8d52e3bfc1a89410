package org.stargan.data;

import java.awt.image.BufferedImage;
import java.awt.image.ComponentColorModel;
import java.awt.image.DataBufferByte;
import java.awt.image.DataBufferInt;
import java.awt.image.PixelInterleavedSampleModel;
import java.awt.image.WritableRaster;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.Locale;
import javax.imageio.ImageIO;
import javax.imageio.ImageWriter;
import javax.imageio.stream.ImageOutputStream;
import javax.imageio.stream.MemoryCacheImageInputStream;
import javax.imageio.stream.MemoryCacheImageOutputStream;

/**
 * Images to network tensors and back, as the official data loader and {@code save_image} do: centre crop, resize to
 * the model's size, scale to [−1, 1] (ToTensor then Normalize(0.5, 0.5)); outputs mapped back with
 * (x + 1)/2 · 255, rounded and clamped.
 *
 * <p>Resizing is bilinear with area averaging when shrinking (like PIL's antialiased bilinear), close to but not
 * bit-identical with torchvision's; for bit-exact inputs use {@code .npy}.
 */
public final class ImageCodec {
    /** Largest side accepted, so a hostile image cannot make us allocate gigabytes. */
    public static final int MAX_SIDE = 8192;

    private ImageCodec() {}

    /** A decoded image: (3, H, W) floats in [−1, 1], row-major per channel. */
    public record Tensor(float[] chw, int height, int width) {}

    /** Decodes PNG/JPEG/BMP/GIF bytes; fails naming {@code source} when they are not an image. */
    public static BufferedImage decode(byte[] bytes, String source) throws IOException {
        if (bytes.length == 0) {
            throw new IllegalArgumentException(source + ": empty file, expected a PNG or JPEG image");
        }
        try (InputStream in = new ByteArrayInputStream(bytes)) {
            // The common PNGs without ImageIO (PngDecoder says why); others, and every error message, as before.
            BufferedImage png = PngDecoder.decode(bytes, MAX_SIDE);
            if (png != null) {
                return png;
            }
            // In memory: ImageIO's default stream caches to a temporary file, an open, writes and a delete per image
            // (a third of a served request's decode time in the worker's profile).
            var stream = new MemoryCacheImageInputStream(in);
            var readers = ImageIO.getImageReaders(stream);
            if (!readers.hasNext()) {
                throw new IllegalArgumentException(source + ": not a PNG or JPEG image (unrecognised format)");
            }
            var reader = readers.next();
            try {
                reader.setInput(stream);
                int w = reader.getWidth(0);
                int h = reader.getHeight(0);
                if (w < 1 || h < 1 || w > MAX_SIDE || h > MAX_SIDE) {
                    throw new IllegalArgumentException(
                            source + ": image of " + w + "×" + h + " pixels, expected sides 1.." + MAX_SIDE);
                }
                BufferedImage img = reader.read(0);
                if (img == null) {
                    throw new IllegalArgumentException(source + ": could not decode the image");
                }
                return img;
            } finally {
                reader.dispose();
            }
        } catch (IOException | RuntimeException e) {
            if (e instanceof IllegalArgumentException) {
                throw e;
            }
            throw new IllegalArgumentException(source + ": damaged or truncated image (" + e.getMessage() + ")", e);
        }
    }

    /**
     * Centre-crops to {@code crop}×{@code crop} (or to the shorter side when {@code crop} ≤ 0 or larger than the
     * image), resizes to {@code size}×{@code size} and scales to [−1, 1].
     */
    public static Tensor toTensor(BufferedImage img, int crop, int size) {
        int w = img.getWidth();
        int h = img.getHeight();
        int side = crop <= 0 ? Math.min(w, h) : Math.min(crop, Math.min(w, h));
        int x0 = (w - side) / 2;
        int y0 = (h - side) / 2;
        int plane = side * side;
        Rows rows = Rows.of(img, x0, y0, side);
        if (side == size) {
            // At the model's size, the common case of a served request: each sample straight into the tensor through
            // the table of its scaled value.
            float[] out = new float[3 * plane];
            rows.read(0, side, SCALED, out, plane);
            return new Tensor(out, size, size);
        }
        // Otherwise bilinear, area-weighted when shrinking: along the rows, then down the columns. The rows are read
        // four at a time and resampled at once, so the crop's full-size planes (three floats per decoded byte) are
        // never made. The filter depends only on the sizes: computed once per image (per-pixel weights were the
        // largest part of a served request's preparation) and applied in the same order, so every output is the same
        // sum.
        Filter f = Filter.of(side, size);
        int block = 4 * side;
        float[] four = new float[3 * block];
        float[] alongRows = new float[3 * side * size];
        for (int y = 0; y < side; ) {
            int count = Math.min(4, side - y);
            rows.read(y, count, SAMPLE_VALUES, four, block);
            for (int c = 0; c < 3; c++) {
                f.alongRows(four, c * block, count, side, alongRows, (c * side + y) * size, size);
            }
            y += count;
        }
        float[] out = new float[3 * size * size];
        for (int c = 0; c < 3; c++) {
            f.downColumns(alongRows, c * side * size, size, out, c * size * size);
        }
        for (int i = 0; i < out.length; i++) {
            out[i] = scale(out[i]);
        }
        return new Tensor(out, size, size);
    }

    /** [0, 255] to [−1, 1]: ToTensor's division, then Normalize(0.5, 0.5). */
    private static float scale(float v) {
        return v / 255f * 2f - 1f;
    }

    /** Each 8-bit sample value as a float, and its {@link #scale}d value. */
    private static final float[] SAMPLE_VALUES = new float[256];

    private static final float[] SCALED = new float[256];

    static {
        for (int v = 0; v < 256; v++) {
            SAMPLE_VALUES[v] = v;
            SCALED[v] = scale(v);
        }
    }

    /** The rows of an image's square crop, read as floats through a table of the 256 sample values. */
    private interface Rows {
        /**
         * Rows {@code y}..{@code y + count − 1} of the crop into {@code out}: channel c's row r at
         * {@code c·planeStride + r·side}.
         */
        void read(int y, int count, float[] table, float[] out, int planeStride);

        static Rows of(BufferedImage img, int x0, int y0, int side) {
            Interleaved bytes = Interleaved.of(img, x0, y0, side);
            if (bytes != null) {
                return bytes;
            }
            // Any other layout (palette, grey, 16-bit, packed ints): Java2D converts each pixel to sRGB.
            int[] row = new int[side];
            return (y, count, table, out, planeStride) -> {
                for (int r = 0; r < count; r++) {
                    img.getRGB(x0, y0 + y + r, side, 1, row, 0, side);
                    for (int x = 0, o = r * side; x < side; x++, o++) {
                        int p = row[x];
                        out[o] = table[(p >> 16) & 0xff];
                        out[planeStride + o] = table[(p >> 8) & 0xff];
                        out[2 * planeStride + o] = table[p & 0xff];
                    }
                }
            };
        }
    }

    /**
     * The common layout, read straight from the pixel bytes: 8-bit sRGB samples interleaved in one byte array, as
     * ImageIO decodes RGB(A) PNGs and colour JPEGs. Per-pixel {@code getRGB} (a colour-model call per pixel) cost more
     * than the rest of a served request's preparation.
     */
    private record Interleaved(byte[] data, int[] band, int pixel, int line, int base, int x0, int y0, int side)
            implements Rows {
        /** The image's bytes, or null for any other layout. */
        static Interleaved of(BufferedImage img, int x0, int y0, int side) {
            WritableRaster raster = img.getRaster();
            if (!(img.getColorModel() instanceof ComponentColorModel cm)
                    || !cm.getColorSpace().isCS_sRGB()
                    || cm.isAlphaPremultiplied()
                    || !(raster.getDataBuffer() instanceof DataBufferByte buffer)
                    || buffer.getNumBanks() != 1
                    || !(raster.getSampleModel() instanceof PixelInterleavedSampleModel sm)
                    || sm.getNumBands() < 3
                    || raster.getSampleModelTranslateX() != 0
                    || raster.getSampleModelTranslateY() != 0) {
                return null;
            }
            for (int size : cm.getComponentSize()) {
                if (size != 8) {
                    return null;
                }
            }
            return new Interleaved(
                    buffer.getData(),
                    sm.getBandOffsets(),
                    sm.getPixelStride(),
                    sm.getScanlineStride(),
                    buffer.getOffset(),
                    x0,
                    y0,
                    side);
        }

        @Override
        public void read(int y, int count, float[] table, float[] out, int planeStride) {
            int r = band[0];
            int g = band[1];
            int b = band[2];
            for (int row = 0; row < count; row++) {
                int i = base + (y0 + y + row) * line + x0 * pixel;
                int o = row * side;
                for (int x = 0; x < side; x++, i += pixel) {
                    out[o + x] = table[data[i + r] & 0xff];
                    out[planeStride + o + x] = table[data[i + g] & 0xff];
                    out[2 * planeStride + o + x] = table[data[i + b] & 0xff];
                }
            }
        }
    }

    /** An RGB image of a (3, H, W) tensor in [−1, 1] starting at {@code offset}. */
    public static BufferedImage toImage(float[] chw, int offset, int height, int width) {
        BufferedImage img = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        // The image's own pixel array (TYPE_INT_RGB: one 0xRRGGBB int per pixel, rows in order), written directly:
        // setRGB per pixel goes through the colour model each time.
        int[] pixels = ((DataBufferInt) img.getRaster().getDataBuffer()).getData();
        int plane = height * width;
        for (int p = 0; p < plane; p++) {
            int i = offset + p;
            pixels[p] = (to8bit(chw[i]) << 16) | (to8bit(chw[i + plane]) << 8) | to8bit(chw[i + 2 * plane]);
        }
        return img;
    }

    /**
     * Writes a (3, H, W) tensor in [−1, 1] starting at {@code offset} as PNG: the pixels of {@link #toImage}, without
     * making the image first (on the served path that image cost as much as encoding it).
     */
    public static void writePng(float[] chw, int offset, int height, int width, OutputStream out) throws IOException {
        PngEncoder.write(width, height, pngRows(chw, offset, height, width), out);
    }

    /** The rows of a (3, H, W) tensor in [−1, 1] starting at {@code offset}, as {@link PngEncoder} takes them. */
    public static PngEncoder.Rows pngRows(float[] chw, int offset, int height, int width) {
        int plane = height * width;
        return (y, rgb) -> {
            for (int x = 0, i = offset + y * width, o = 0; x < width; x++, i++, o += 3) {
                rgb[o] = (byte) to8bit(chw[i]);
                rgb[o + 1] = (byte) to8bit(chw[i + plane]);
                rgb[o + 2] = (byte) to8bit(chw[i + 2 * plane]);
            }
        };
    }

    /** Writes PNG ({@link PngEncoder} for opaque sRGB images, else ImageIO) or JPEG by the file name's extension. */
    public static void write(BufferedImage img, String fileName, OutputStream out) throws IOException {
        String format = formatOf(fileName);
        if (format.equals("png") && PngEncoder.canEncode(img)) {
            PngEncoder.write(img, out);
            return;
        }
        writeWithImageIo(img, format, out);
    }

    /** Writes {@code img} in {@code format} ({@code png}, {@code jpg}) with ImageIO's writer and its defaults. */
    public static void writeWithImageIo(BufferedImage img, String format, OutputStream out) throws IOException {
        var writers = ImageIO.getImageWritersByFormatName(format);
        if (!writers.hasNext()) {
            throw new IOException("no " + format + " writer available");
        }
        ImageWriter writer = writers.next();
        // In memory, not ImageIO.write's default temporary-file cache (see decode).
        try (ImageOutputStream stream = new MemoryCacheImageOutputStream(out)) {
            writer.setOutput(stream);
            writer.write(img);
        } finally {
            writer.dispose();
        }
    }

    /** {@code png} or {@code jpg} for a file name; fails naming the extension otherwise. */
    public static String formatOf(String fileName) {
        String lower = fileName.toLowerCase(Locale.ROOT);
        if (lower.endsWith(".png")) {
            return "png";
        }
        if (lower.endsWith(".jpg") || lower.endsWith(".jpeg")) {
            return "jpg";
        }
        throw new IllegalArgumentException(fileName + ": unsupported image extension, expected .png, .jpg or .jpeg");
    }

    static int to8bit(float v) {
        // save_image: denorm (x+1)/2, then mul(255).add_(0.5).clamp_(0, 255) and truncation. The same results as
        // clamping with Math.min/max (test: to8bitIsTheClampedDefinitionForEveryFloat), but branches the JIT turns
        // into conditional moves, where Math.min/max's NaN and −0 handling cost a third of encoding a result.
        float s = (v + 1f) / 2f;
        if (!(s > 0f)) {
            return 0; // below 0, −0, 0 and NaN
        }
        if (s >= 1f) {
            return 255;
        }
        return (int) (s * 255f + 0.5f);
    }

    /**
     * One-dimensional triangle-filter resampling from {@code inLen} to {@code outLen} samples with support scaled by
     * the shrink factor (PIL's approach): for each output sample its first input, its weights and their sum.
     */
    private record Filter(int[] first, double[][] weights, double[] weightSums) {
        static Filter of(int inLen, int outLen) {
            double scale = (double) inLen / outLen;
            double support = Math.max(1.0, scale);
            int[] first = new int[outLen];
            double[][] weights = new double[outLen][];
            double[] sums = new double[outLen];
            for (int o = 0; o < outLen; o++) {
                double center = (o + 0.5) * scale;
                int lo = (int) Math.max(0, Math.floor(center - support));
                int hi = (int) Math.min(inLen, Math.ceil(center + support));
                double[] w = new double[Math.max(0, hi - lo)];
                double wsum = 0;
                for (int i = lo; i < hi; i++) {
                    // Taps with no weight stay in the table as 0: adding 0·x leaves the sum as skipping it did.
                    double wi = 1 - Math.abs((i + 0.5 - center) / support);
                    w[i - lo] = wi > 0 ? wi : 0;
                    wsum += w[i - lo];
                }
                first[o] = lo;
                weights[o] = w;
                sums[o] = wsum;
            }
            return new Filter(first, weights, sums);
        }

        /**
         * Resamples {@code count} rows of {@code inLen} samples, one after another from {@code inOff}, along the row into
         * rows of {@code outLen} from {@code outOff}. Four rows (then four columns, see {@link #downColumns}) at a time:
         * four independent sums the CPU overlaps, where one output's sum, a chain of dependent additions, left it
         * waiting (bench codec --size 48: crop and resize 0.174 → 0.145 ms); each sum in the same order.
         */
        void alongRows(float[] in, int inOff, int count, int inLen, float[] out, int outOff, int outLen) {
            int y = 0;
            for (; y + 4 <= count; y += 4) {
                // rows y..y+3: taps along a row, the four rows inLen apart; out along a row, the four rows outLen apart
                applyFourAtOnce(in, inOff + y * inLen, 1, inLen, out, outOff + y * outLen, 1, outLen);
            }
            for (; y < count; y++) {
                apply(in, inOff + y * inLen, 1, out, outOff + y * outLen, 1);
            }
        }

        /** Resamples each column of the (inLen, width) plane at {@code inOff} into the (outLen, width) plane at outOff. */
        void downColumns(float[] in, int inOff, int width, float[] out, int outOff) {
            int x = 0;
            for (; x + 4 <= width; x += 4) {
                // columns x..x+3: taps down a column (width apart), the four columns side by side
                applyFourAtOnce(in, inOff + x, width, 1, out, outOff + x, width, 1);
            }
            for (; x < width; x++) {
                apply(in, inOff + x, width, out, outOff + x, width);
            }
        }

        /**
         * {@link #apply} to four lines at once, {@code lane} apart in {@code in} and {@code outLane} apart in
         * {@code out}: each line's taps {@code inStride} apart, its outputs {@code outStride} apart.
         */
        void applyFourAtOnce(
                float[] in, int inOff, int inStride, int lane, float[] out, int outOff, int outStride, int outLane) {
            for (int o = 0; o < first.length; o++) {
                double[] w = weights[o];
                int i = inOff + first[o] * inStride;
                double s0 = 0;
                double s1 = 0;
                double s2 = 0;
                double s3 = 0;
                for (int k = 0; k < w.length; k++, i += inStride) {
                    double wk = w[k];
                    s0 += wk * in[i];
                    s1 += wk * in[i + lane];
                    s2 += wk * in[i + 2 * lane];
                    s3 += wk * in[i + 3 * lane];
                }
                double wsum = weightSums[o];
                int q = outOff + o * outStride;
                out[q] = (float) (wsum > 0 ? s0 / wsum : 0);
                out[q + outLane] = (float) (wsum > 0 ? s1 / wsum : 0);
                out[q + 2 * outLane] = (float) (wsum > 0 ? s2 / wsum : 0);
                out[q + 3 * outLane] = (float) (wsum > 0 ? s3 / wsum : 0);
            }
        }

        void apply(float[] in, int inOff, int inStride, float[] out, int outOff, int outStride) {
            for (int o = 0; o < first.length; o++) {
                double[] w = weights[o];
                int i = inOff + first[o] * inStride;
                double sum = 0;
                for (int k = 0; k < w.length; k++, i += inStride) {
                    sum += w[k] * in[i];
                }
                double wsum = weightSums[o];
                out[outOff + o * outStride] = (float) (wsum > 0 ? sum / wsum : 0);
            }
        }
    }
}
