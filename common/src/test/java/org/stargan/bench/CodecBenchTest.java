package org.stargan.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.util.Map;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;

/** {@code bench codec} reports every timing and size it names, from real work on the image it is given. */
class CodecBenchTest {
    @Test
    void reportsEachStepsTimeAndEachEncodersBytes() throws Exception {
        BufferedImage img = new BufferedImage(60, 40, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < 40; y++) {
            for (int x = 0; x < 60; x++) {
                img.setRGB(x, y, (x * 4) << 16 | (y * 6) << 8 | 90);
            }
        }
        ByteArrayOutputStream png = new ByteArrayOutputStream();
        ImageIO.write(img, "png", png);
        Map<String, Object> r = CodecBench.run(png.toByteArray(), 32, 0.05, 0.02);
        assertThat(r).containsEntry("width", 60).containsEntry("height", 40).containsEntry("size", 32);
        for (String k : new String[] {
            "decode_ms",
            "to_tensor_ms",
            "result_png_ms",
            "result_zlib_ms",
            "result_imageio_ms",
            "noise_png_ms",
            "noise_imageio_ms",
            "photo_png_ms",
            "photo_imageio_ms"
        }) {
            assertThat(((Number) r.get(k)).doubleValue()).as(k).isPositive();
        }
        // Noise does not compress: both writers give at least its 32 × 32 × 3 bytes; the smooth result much less.
        assertThat((int) r.get("noise_png_bytes")).isGreaterThan(32 * 32 * 3);
        assertThat((int) r.get("noise_imageio_bytes")).isGreaterThan(32 * 32 * 3 * 9 / 10);
        assertThat((int) r.get("result_png_bytes")).isLessThan(32 * 32 * 3 / 2);
        // A smooth gradient's residuals come in runs: the encoder keeps zlib's string search, so the two agree.
        assertThat(r.get("result_zlib_bytes")).isEqualTo(r.get("result_png_bytes"));
        assertThat((int) r.get("photo_png_bytes")).isPositive();
    }
}
