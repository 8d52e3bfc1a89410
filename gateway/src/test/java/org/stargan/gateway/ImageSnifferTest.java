package org.stargan.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vertx.core.buffer.Buffer;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.util.Arrays;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.stargan.msg.Protocol;

/** Uploads are recognised by their bytes and measured from their headers, never decoded. */
class ImageSnifferTest {
    static byte[] encode(String format, int w, int h) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ImageIO.write(new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB), format, out);
        return out.toByteArray();
    }

    /** A PNG signature and an IHDR chunk claiming {@code w}×{@code h}, and nothing else: ~33 bytes. */
    static byte[] bombHeader(int w, int h) {
        Buffer b = Buffer.buffer(new byte[] {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'});
        b.appendInt(13)
                .appendString("IHDR")
                .appendInt(w)
                .appendInt(h)
                .appendBytes(new byte[] {8, 2, 0, 0, 0})
                .appendInt(0);
        return b.getBytes();
    }

    @Test
    void pngAndJpegSizesComeFromTheirHeaders() throws Exception {
        ImageSniffer.Sniffed png = ImageSniffer.sniff(Buffer.buffer(encode("png", 37, 21)), "body");
        assertThat(png).isEqualTo(new ImageSniffer.Sniffed(Protocol.PNG, 37, 21));
        ImageSniffer.Sniffed jpeg = ImageSniffer.sniff(Buffer.buffer(encode("jpg", 40, 24)), "body");
        assertThat(jpeg).isEqualTo(new ImageSniffer.Sniffed(Protocol.JPEG, 40, 24));
        ImageSniffer.Sniffed bomb = ImageSniffer.sniff(Buffer.buffer(bombHeader(100_000, 100_000)), "body");
        assertThat(bomb.pixels()).isEqualTo(10_000_000_000L);
        assertThat(ImageSniffer.sniff(Buffer.buffer(new byte[] {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0}), "body")
                        .mediaType())
                .isEqualTo(Protocol.NPY);
    }

    @Test
    void otherFilesAreUnknownAndCutHeadersAreDamaged() throws Exception {
        assertThat(ImageSniffer.sniff(Buffer.buffer(encode("gif", 8, 8)), "body"))
                .isNull();
        assertThat(ImageSniffer.sniff(Buffer.buffer("<svg/>"), "body")).isNull();
        assertThat(ImageSniffer.firstBytes(Buffer.buffer("GIF89a"))).isEqualTo("474946383961");
        byte[] png = encode("png", 8, 8);
        assertThatThrownBy(() -> ImageSniffer.sniff(Buffer.buffer(Arrays.copyOf(png, 14)), "body"))
                .hasMessage("body: PNG without its IHDR header (truncated or damaged)");
        byte[] jpeg = encode("jpg", 8, 8);
        assertThatThrownBy(() -> ImageSniffer.sniff(Buffer.buffer(Arrays.copyOf(jpeg, 30)), "image"))
                .hasMessageStartingWith("image: JPEG cut short");
    }
}
