package org.stargan.bench;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.stargan.data.ImageCodec;
import org.stargan.data.PngEncoder;

/**
 * Times, on one thread, the image work a served request costs the inference worker around the generator: decoding
 * the upload, cropping and resizing it to the model's size, and encoding the result as PNG, this project's way
 * ({@link ImageCodec#writePng}) next to ImageIO's writer, on the image itself at the model's size and on uniform noise
 * (what an untrained generator, or the paper-size benchmark's, puts out); and the whole image as a photo answer.
 */
public final class CodecBench {
    private CodecBench() {}

    private interface IoAction {
        void run() throws IOException;
    }

    /**
     * Runs the timings on {@code bytes} (a PNG or JPEG) at model size {@code size}: every step in turn for
     * {@code warmupSeconds} untimed (the JIT compiles some of these loops only after thousands of calls, and a
     * compiler thread at work would share the cores with the step being timed), then each for {@code seconds}.
     */
    public static Map<String, Object> run(byte[] bytes, int size, double warmupSeconds, double seconds)
            throws IOException {
        BufferedImage decoded = ImageCodec.decode(bytes, "--image");
        float[] chw = ImageCodec.toTensor(decoded, 0, size).chw();
        float[] noise = new float[chw.length];
        Random r = new Random(1);
        for (int i = 0; i < noise.length; i++) {
            noise[i] = r.nextFloat() * 2 - 1;
        }
        // The image as a photo answer (paste-back) is written whole.
        BufferedImage photo = new BufferedImage(decoded.getWidth(), decoded.getHeight(), BufferedImage.TYPE_INT_RGB);
        photo.getGraphics().drawImage(decoded, 0, 0, null);
        Map<String, IoAction> steps = new LinkedHashMap<>();
        steps.put("decode", () -> ImageCodec.decode(bytes, "--image"));
        steps.put("to_tensor", () -> ImageCodec.toTensor(decoded, 0, size));
        Map<String, Writer> writers = new LinkedHashMap<>();
        for (var e : List.of(Map.entry("result", chw), Map.entry("noise", noise))) {
            float[] t = e.getValue();
            writers.put(e.getKey() + "_png", out -> ImageCodec.writePng(t, 0, size, size, out));
            // The same encoder with zlib's string search for every compressible image: what literals are chosen over.
            writers.put(
                    e.getKey() + "_zlib",
                    out -> PngEncoder.writeWithStringSearch(size, size, ImageCodec.pngRows(t, 0, size, size), out));
            writers.put(
                    e.getKey() + "_imageio",
                    out -> ImageCodec.writeWithImageIo(ImageCodec.toImage(t, 0, size, size), "png", out));
        }
        writers.put("photo_png", out -> PngEncoder.write(photo, out));
        writers.put("photo_imageio", out -> ImageCodec.writeWithImageIo(photo, "png", out));
        writers.forEach((name, w) -> steps.put(name, () -> w.write(new ByteArrayOutputStream(1 << 16))));

        long until = System.nanoTime() + (long) (warmupSeconds * 1e9);
        do {
            for (IoAction step : steps.values()) {
                step.run();
            }
        } while (System.nanoTime() < until);
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("width", decoded.getWidth());
        m.put("height", decoded.getHeight());
        m.put("size", size);
        for (var e : steps.entrySet()) {
            m.put(e.getKey() + "_ms", time(seconds, e.getValue()));
        }
        for (var e : writers.entrySet()) {
            m.put(e.getKey() + "_bytes", size(e.getValue()));
        }
        return m;
    }

    /** Mean milliseconds per call over {@code seconds} of calls. */
    private static double time(double seconds, IoAction action) throws IOException {
        long span = (long) (seconds * 1e9);
        long calls = 0;
        long start = System.nanoTime();
        long elapsed;
        do {
            action.run();
            calls++;
            elapsed = System.nanoTime() - start;
        } while (elapsed < span);
        return Math.round(elapsed / 1e3 / calls) / 1000.0;
    }

    private interface Writer {
        void write(ByteArrayOutputStream out) throws IOException;
    }

    private static int size(Writer w) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        w.write(out);
        return out.size();
    }
}
