package org.stargan.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.awt.image.BufferedImage;
import java.awt.image.DataBufferByte;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.Arrays;
import java.util.Random;
import java.util.zip.Deflater;
import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageWriteParam;
import javax.imageio.ImageWriter;
import javax.imageio.stream.MemoryCacheImageOutputStream;
import org.junit.jupiter.api.Test;

/** {@link PngDecoder}: the image ImageIO's reader makes, for the PNGs it takes; the others left to ImageIO. */
class PngDecoderTest {
    /** PNGs as ImageIO writes them (each row's filter chosen among all five) and as PngEncoder does. */
    @Test
    void decodesWhatImageIoDecodesToTheByte() throws Exception {
        for (BufferedImage img : new BufferedImage[] {
            noise(37, 29, BufferedImage.TYPE_INT_RGB, 1),
            smooth(64, 48, BufferedImage.TYPE_INT_RGB),
            noise(33, 17, BufferedImage.TYPE_INT_ARGB, 2),
            smooth(50, 40, BufferedImage.TYPE_INT_ARGB),
            noise(1, 1, BufferedImage.TYPE_INT_RGB, 3),
            smooth(300, 2, BufferedImage.TYPE_INT_RGB),
            smooth(2, 300, BufferedImage.TYPE_INT_ARGB)
        }) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            ImageIO.write(img, "png", out);
            assertSameAsImageIo(out.toByteArray(), img.getWidth() + "×" + img.getHeight() + " type " + img.getType());
        }
        // PngEncoder's several IDAT chunks, some stored and some deflated.
        BufferedImage big = smooth(400, 600, BufferedImage.TYPE_INT_RGB);
        Random r = new Random(4);
        for (int y = 200; y < 400; y++) {
            for (int x = 0; x < 400; x++) {
                big.setRGB(x, y, r.nextInt(1 << 24));
            }
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ImageCodec.write(big, "big.png", out);
        assertSameAsImageIo(out.toByteArray(), "PngEncoder's 400×600");
    }

    /** Each of the five row filters, written here from the specification's definitions, rows in turn. */
    @Test
    void undoesEachRowFilter() throws Exception {
        for (int channels : new int[] {3, 4}) {
            int w = 23;
            int h = 15;
            byte[] pixels = new byte[w * h * channels];
            new Random(channels).nextBytes(pixels);
            for (int i = 0; i < pixels.length / 2; i++) {
                pixels[i] = (byte) (i / 7); // half smooth, half noise
            }
            byte[] png = png(w, h, channels, pixels, y -> y % 5);
            BufferedImage img = PngDecoder.decode(png, ImageCodec.MAX_SIDE);
            int[] argb = new int[w * h];
            for (int p = 0; p < argb.length; p++) {
                int at = p * channels;
                int alpha = channels == 4 ? pixels[at + 3] & 0xff : 0xff;
                argb[p] = alpha << 24
                        | (pixels[at] & 0xff) << 16
                        | (pixels[at + 1] & 0xff) << 8
                        | (pixels[at + 2] & 0xff);
            }
            assertThat(img.getRGB(0, 0, w, h, null, 0, w))
                    .as("%d channels", channels)
                    .containsExactly(argb);
            assertSameAsImageIo(png, channels + " channels, filters 0..4");
        }
    }

    @Test
    void leavesOtherPngsToImageIoWhichStillReadsThem() throws Exception {
        BufferedImage rgb = smooth(20, 10, BufferedImage.TYPE_INT_RGB);
        ByteArrayOutputStream plain = new ByteArrayOutputStream();
        ImageIO.write(rgb, "png", plain);
        for (var c : new Object[][] {
            {"grey", imageIo(convert(rgb, BufferedImage.TYPE_BYTE_GRAY), false)},
            {"16-bit grey", imageIo(convert(rgb, BufferedImage.TYPE_USHORT_GRAY), false)},
            {"palette", imageIo(convert(rgb, BufferedImage.TYPE_BYTE_INDEXED), false)},
            {"interlaced", imageIo(rgb, true)},
            {"tRNS", withChunkBeforeIdat(plain.toByteArray(), "tRNS", new byte[6])},
            {"iCCP", withChunkBeforeIdat(plain.toByteArray(), "iCCP", "x\0\0".getBytes())},
            {"not a PNG", new byte[] {1, 2, 3}}
        }) {
            assertThat(PngDecoder.decode((byte[]) c[1], ImageCodec.MAX_SIDE))
                    .as((String) c[0])
                    .isNull();
        }
        for (byte[] png :
                new byte[][] {imageIo(convert(rgb, BufferedImage.TYPE_BYTE_INDEXED), false), imageIo(rgb, true)}) {
            assertThat(ImageCodec.decode(png, "p").getWidth()).isEqualTo(20);
        }
        assertThat(PngDecoder.decode(plain.toByteArray(), 19))
                .as("wider than allowed: ImageIO's path refuses it")
                .isNull();
    }

    @Test
    void damagedImagesFailNamingWhatIsWrong() throws Exception {
        int w = 16;
        byte[] pixels = new byte[w * w * 3];
        new Random(5).nextBytes(pixels);
        byte[] png = png(w, w, 3, pixels, y -> 1);
        // Cut inside the image data: the chunk runs past the end.
        byte[] cut = Arrays.copyOf(png, png.length - 40);
        assertThatThrownBy(() -> PngDecoder.decode(cut, ImageCodec.MAX_SIDE))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("IDAT chunk")
                .hasMessageContaining("runs past the end");
        assertThatThrownBy(() -> ImageCodec.decode(cut, "face.png"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("face.png: damaged or truncated image");
        // Too few rows in complete chunks.
        byte[] shortData = png(w, w, 3, pixels, y -> 1, w / 2);
        assertThatThrownBy(() -> PngDecoder.decode(shortData, ImageCodec.MAX_SIDE))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("image data ends in row 8 of 16");
        byte[] badFilter = png(w, w, 3, pixels, y -> y == 3 ? 7 : 0);
        assertThatThrownBy(() -> PngDecoder.decode(badFilter, ImageCodec.MAX_SIDE))
                .isInstanceOf(IOException.class)
                .hasMessage("row filter type 7, expected 0..4");
    }

    private static void assertSameAsImageIo(byte[] png, String what) throws IOException {
        BufferedImage ours = PngDecoder.decode(png, ImageCodec.MAX_SIDE);
        BufferedImage theirs = ImageIO.read(new ByteArrayInputStream(png));
        assertThat(ours).as(what).isNotNull();
        assertThat(ours.getType()).as(what).isEqualTo(theirs.getType());
        assertThat(ours.getColorModel()).as(what).isEqualTo(theirs.getColorModel());
        assertThat(ours.getSampleModel().getClass())
                .isEqualTo(theirs.getSampleModel().getClass());
        assertThat(ours.getRaster().getNumBands()).isEqualTo(theirs.getRaster().getNumBands());
        assertThat(((DataBufferByte) ours.getRaster().getDataBuffer()).getData())
                .as(what)
                .containsExactly(((DataBufferByte) theirs.getRaster().getDataBuffer()).getData());
        int w = theirs.getWidth();
        int h = theirs.getHeight();
        assertThat(ours.getRGB(0, 0, w, h, null, 0, w)).as(what).containsExactly(theirs.getRGB(0, 0, w, h, null, 0, w));
    }

    /** A PNG of these pixels, each row filtered with {@code filterOfRow}'s type, with only {@code rows} rows' data. */
    private static byte[] png(
            int w, int h, int channels, byte[] pixels, java.util.function.IntUnaryOperator filterOfRow)
            throws IOException {
        return png(w, h, channels, pixels, filterOfRow, h);
    }

    private static byte[] png(
            int w, int h, int channels, byte[] pixels, java.util.function.IntUnaryOperator filterOfRow, int rows)
            throws IOException {
        int stride = w * channels;
        byte[] filtered = new byte[rows * (stride + 1)];
        for (int y = 0; y < rows; y++) {
            int type = filterOfRow.applyAsInt(y);
            filtered[y * (stride + 1)] = (byte) type;
            for (int i = 0; i < stride; i++) {
                int x = pixels[y * stride + i] & 0xff;
                int a = i >= channels ? pixels[y * stride + i - channels] & 0xff : 0;
                int b = y > 0 ? pixels[(y - 1) * stride + i] & 0xff : 0;
                int c = i >= channels && y > 0 ? pixels[(y - 1) * stride + i - channels] & 0xff : 0;
                int predicted = switch (type) {
                    case 1 -> a;
                    case 2 -> b;
                    case 3 -> (a + b) / 2;
                    case 4 -> paeth(a, b, c);
                    default -> 0;
                };
                filtered[y * (stride + 1) + 1 + i] = (byte) (x - predicted);
            }
        }
        Deflater d = new Deflater();
        d.setInput(filtered);
        d.finish();
        byte[] buf = new byte[filtered.length * 2 + 64];
        int n = d.deflate(buf);
        d.end();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(PngEncoder.SIGNATURE);
        byte[] ihdr = {0, 0, 0, (byte) w, 0, 0, 0, (byte) h, 8, (byte) (channels == 4 ? 6 : 2), 0, 0, 0};
        PngEncoder.chunk(out, "IHDR", ihdr, ihdr.length);
        // Two IDAT chunks: the inflater is fed across their boundary.
        PngEncoder.chunk(out, "IDAT", Arrays.copyOf(buf, n / 2), n / 2);
        PngEncoder.chunk(out, "IDAT", Arrays.copyOfRange(buf, n / 2, n), n - n / 2);
        PngEncoder.chunk(out, "IEND", new byte[0], 0);
        return out.toByteArray();
    }

    private static int paeth(int a, int b, int c) {
        int p = a + b - c;
        int pa = Math.abs(p - a);
        int pb = Math.abs(p - b);
        int pc = Math.abs(p - c);
        if (pa <= pb && pa <= pc) {
            return a;
        }
        return pb <= pc ? b : c;
    }

    private static byte[] withChunkBeforeIdat(byte[] png, String type, byte[] data) throws IOException {
        int idat = 8;
        while (!new String(png, idat + 4, 4, java.nio.charset.StandardCharsets.ISO_8859_1).equals("IDAT")) {
            idat += 12
                    + (((png[idat] & 0xff) << 24)
                            | ((png[idat + 1] & 0xff) << 16)
                            | ((png[idat + 2] & 0xff) << 8)
                            | (png[idat + 3] & 0xff));
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(png, 0, idat);
        PngEncoder.chunk(out, type, data, data.length);
        out.write(png, idat, png.length - idat);
        return out.toByteArray();
    }

    private static byte[] imageIo(BufferedImage img, boolean interlaced) throws IOException {
        ImageWriter writer = ImageIO.getImageWritersByFormatName("png").next();
        ImageWriteParam param = writer.getDefaultWriteParam();
        if (interlaced) {
            param.setProgressiveMode(ImageWriteParam.MODE_DEFAULT);
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (var stream = new MemoryCacheImageOutputStream(out)) {
            writer.setOutput(stream);
            writer.write(null, new IIOImage(img, null, null), param);
        } finally {
            writer.dispose();
        }
        return out.toByteArray();
    }

    private static BufferedImage convert(BufferedImage img, int type) {
        BufferedImage c = new BufferedImage(img.getWidth(), img.getHeight(), type);
        c.getGraphics().drawImage(img, 0, 0, null);
        return c;
    }

    private static BufferedImage noise(int w, int h, int type, long seed) {
        BufferedImage img = new BufferedImage(w, h, type);
        Random r = new Random(seed);
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                img.setRGB(x, y, r.nextInt());
            }
        }
        return img;
    }

    private static BufferedImage smooth(int w, int h, int type) {
        BufferedImage img = new BufferedImage(w, h, type);
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                int a = 255 - (x + y) % 200;
                img.setRGB(x, y, (a << 24) | ((x * 3) & 0xff) << 16 | ((y * 5) & 0xff) << 8 | ((x + y) & 0xff));
            }
        }
        return img;
    }
}
