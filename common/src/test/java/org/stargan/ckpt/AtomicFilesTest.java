package org.stargan.ckpt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AtomicFilesTest {
    @TempDir
    Path tmp;

    @Test
    void aWriteThatFailsHalfwayLeavesThePreviousFileAndNoDebris() throws Exception {
        Path target = tmp.resolve("100-G.safetensors");
        Files.writeString(target, "previous checkpoint");
        assertThatThrownBy(() -> AtomicFiles.write(target, out -> {
                    out.write(new byte[100_000]);
                    throw new IOException("disk full");
                }))
                .hasMessageContaining("disk full");
        assertThat(Files.readString(target)).isEqualTo("previous checkpoint");
        try (var files = Files.list(tmp)) {
            assertThat(files.map(p -> p.getFileName().toString())).containsExactly("100-G.safetensors");
        }
    }
}
