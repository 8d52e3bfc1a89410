package org.stargan.face;

import java.awt.image.BufferedImage;
import java.awt.image.DataBufferByte;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageWriteParam;
import javax.imageio.ImageWriter;
import javax.imageio.stream.ImageOutputStream;
import javax.imageio.stream.MemoryCacheImageOutputStream;
import org.opencv.core.CvType;
import org.opencv.core.Mat;
import org.stargan.data.ImageCodec;

/**
 * A user's photo: its pixels upright as 8-bit BGR (what detection, alignment and paste-back work on), its alpha
 * channel if it had one, its format and its EXIF block. {@link #encode} writes the (edited) pixels back in the same
 * format, turned back to the stored orientation under the same EXIF block, so the answer is the user's own file
 * edited. 8-bit photos keep every untouched pixel exactly (PNG); JPEG is re-encoded at quality {@value #JPEG_QUALITY}.
 */
public final class Photo {
    /** Quality of re-encoded JPEGs: high, as the photo is the user's own and is encoded once more. */
    public static final float JPEG_QUALITY = 0.95f;

    private final Mat bgr;
    private final byte[] alpha;
    private final String format;
    private final JpegExif exif;

    private Photo(Mat bgr, byte[] alpha, String format, JpegExif exif) {
        this.bgr = bgr;
        this.alpha = alpha;
        this.format = format;
        this.exif = exif;
    }

    /** Decodes PNG or JPEG bytes; fails naming {@code source} when they are not one. */
    public static Photo decode(byte[] bytes, String source) throws IOException {
        OpenCvNative.load();
        BufferedImage img = ImageCodec.decode(bytes, source);
        boolean jpeg = (bytes[0] & 0xff) == 0xFF && (bytes[1] & 0xff) == 0xD8;
        JpegExif exif = jpeg ? JpegExif.read(bytes) : JpegExif.NONE;
        int w = img.getWidth();
        int h = img.getHeight();
        byte[] pixels = new byte[3 * w * h];
        byte[] alpha = null;
        if (img.getType() == BufferedImage.TYPE_3BYTE_BGR && isPacked(img, 3)) {
            System.arraycopy(((DataBufferByte) img.getRaster().getDataBuffer()).getData(), 0, pixels, 0, pixels.length);
        } else if (img.getType() == BufferedImage.TYPE_4BYTE_ABGR && isPacked(img, 4)) {
            byte[] abgr = ((DataBufferByte) img.getRaster().getDataBuffer()).getData();
            alpha = new byte[w * h];
            for (int i = 0; i < w * h; i++) {
                alpha[i] = abgr[4 * i];
                pixels[3 * i] = abgr[4 * i + 1];
                pixels[3 * i + 1] = abgr[4 * i + 2];
                pixels[3 * i + 2] = abgr[4 * i + 3];
            }
        } else {
            // Grey, palette or 16-bit images: through ARGB (8 bits per channel from here on).
            int[] argb = img.getRGB(0, 0, w, h, null, 0, w);
            boolean hasAlpha = img.getColorModel().hasAlpha();
            alpha = hasAlpha ? new byte[w * h] : null;
            for (int i = 0; i < w * h; i++) {
                int p = argb[i];
                pixels[3 * i] = (byte) p;
                pixels[3 * i + 1] = (byte) (p >> 8);
                pixels[3 * i + 2] = (byte) (p >> 16);
                if (hasAlpha) {
                    alpha[i] = (byte) (p >>> 24);
                }
            }
        }
        Mat stored = new Mat(h, w, CvType.CV_8UC3);
        stored.put(0, 0, pixels);
        return new Photo(exif.upright(stored), alpha, jpeg ? "jpeg" : "png", exif);
    }

    private static boolean isPacked(BufferedImage img, int channels) {
        var sm = img.getRaster().getSampleModel();
        return img.getRaster().getParent() == null
                && sm instanceof java.awt.image.PixelInterleavedSampleModel p
                && p.getScanlineStride() == channels * img.getWidth()
                && p.getPixelStride() == channels;
    }

    /** A copy whose pixels can be edited without touching this photo's. */
    public Photo copy() {
        return new Photo(bgr.clone(), alpha, format, exif);
    }

    /** The upright pixels, 8-bit BGR; edits made to this Mat are what {@link #encode} writes. */
    public Mat bgr() {
        return bgr;
    }

    /** Width of the upright photo. */
    public int width() {
        return bgr.cols();
    }

    /** Height of the upright photo. */
    public int height() {
        return bgr.rows();
    }

    /** {@code png} or {@code jpeg}: the format it came in. */
    public String format() {
        return format;
    }

    /** The EXIF block it came with. */
    public JpegExif exif() {
        return exif;
    }

    /**
     * The photo's pixels as a file of {@code format} ({@code png} or {@code jpeg}): as a JPEG with its EXIF block
     * when it came with one (pixels turned back to the stored orientation), otherwise upright.
     */
    public byte[] encode(String format) throws IOException {
        boolean jpeg = format.equals("jpeg");
        if (!jpeg && !format.equals("png")) {
            throw new IllegalArgumentException("format: '" + format + "', expected png or jpeg");
        }
        boolean keepExif = jpeg && exif.segment() != null;
        Mat pixels = keepExif ? exif.stored(bgr) : bgr;
        int w = pixels.cols();
        int h = pixels.rows();
        byte[] b = new byte[3 * w * h];
        pixels.get(0, 0, b);
        BufferedImage img;
        if (alpha != null && !jpeg) {
            img = new BufferedImage(w, h, BufferedImage.TYPE_4BYTE_ABGR);
            byte[] abgr = ((DataBufferByte) img.getRaster().getDataBuffer()).getData();
            for (int i = 0; i < w * h; i++) {
                abgr[4 * i] = alpha[i];
                abgr[4 * i + 1] = b[3 * i];
                abgr[4 * i + 2] = b[3 * i + 1];
                abgr[4 * i + 3] = b[3 * i + 2];
            }
        } else {
            img = new BufferedImage(w, h, BufferedImage.TYPE_3BYTE_BGR);
            System.arraycopy(b, 0, ((DataBufferByte) img.getRaster().getDataBuffer()).getData(), 0, b.length);
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        if (!jpeg) {
            ImageCodec.write(img, "photo.png", out);
            return out.toByteArray();
        }
        ImageWriter writer = ImageIO.getImageWritersByFormatName("jpeg").next();
        try (ImageOutputStream ios = new MemoryCacheImageOutputStream(out)) {
            writer.setOutput(ios);
            ImageWriteParam param = writer.getDefaultWriteParam();
            param.setCompressionMode(ImageWriteParam.MODE_EXPLICIT);
            param.setCompressionQuality(JPEG_QUALITY);
            writer.write(null, new IIOImage(img, null, null), param);
        } finally {
            writer.dispose();
        }
        return keepExif ? exif.insertInto(out.toByteArray()) : out.toByteArray();
    }
}
