package org.stargan.io;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class NpyTest {

    @Test
    void roundTripKeepsShapeAndValues() throws Exception {
        float[] v = {1.5f, -2f, 3.25f, 0f, 7f, -1e-3f};
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        Npy.write(out, Npy.Array.ofFloats(v, 2, 3));
        byte[] bytes = out.toByteArray();
        // The header is padded so that the data starts on a 64-byte boundary, as NumPy writes it.
        assertThat((bytes.length - v.length * 4) % 64).isZero();
        Npy.Array back = Npy.read(new ByteArrayInputStream(bytes), "test");
        assertThat(back.shape()).containsExactly(2, 3);
        assertThat(back.toFloats()).containsExactly(v);
    }

    @Test
    void truncatedAndForeignFilesFailWithTheReason() throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        Npy.write(out, Npy.Array.ofFloats(new float[8], 8));
        byte[] bytes = out.toByteArray();
        assertThatThrownBy(() -> Npy.read(new ByteArrayInputStream(Arrays.copyOf(bytes, bytes.length - 4)), "x.npy"))
                .hasMessageContaining("x.npy: truncated");
        assertThatThrownBy(() -> Npy.read(new ByteArrayInputStream("hello world, not numpy".getBytes()), "y.npy"))
                .hasMessageContaining("y.npy: not a .npy file");
        byte[] f16 = new String(bytes, java.nio.charset.StandardCharsets.ISO_8859_1)
                .replace("<f4", "<f2")
                .getBytes(java.nio.charset.StandardCharsets.ISO_8859_1);
        assertThatThrownBy(() -> Npy.read(new ByteArrayInputStream(f16), "z.npy"))
                .hasMessageContaining("dtype '<f2' is not supported");
    }
}
