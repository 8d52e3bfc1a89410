package org.stargan.trainer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A job's dataset paths stay inside the data root, whatever '..' or symbolic links they use. */
class DataRootTest {
    @TempDir
    Path tmp;

    @Test
    void pathsInsideTheRootResolveAndEveryWayOutIsRefused() throws Exception {
        Path root = Files.createDirectories(tmp.resolve("data"));
        Files.createDirectories(root.resolve("celeba/images"));
        Files.writeString(root.resolve("celeba/list_attr_celeba.txt"), "1\nBlond_Hair\n");
        Path secret = Files.writeString(tmp.resolve("secret.txt"), "not data");
        Files.createSymbolicLink(root.resolve("escape.txt"), secret);
        Files.createSymbolicLink(root.resolve("outside"), tmp);
        Files.createSymbolicLink(root.resolve("inner"), root.resolve("celeba"));
        DataRoot data = new DataRoot(root);

        assertThat(data.resolve("celeba/list_attr_celeba.txt", "options.attr-path"))
                .isEqualTo(root.toRealPath().resolve("celeba/list_attr_celeba.txt"));
        // A link that stays inside is fine.
        assertThat(data.resolve("inner/images", "options.celeba-image-dir"))
                .isEqualTo(root.toRealPath().resolve("celeba/images"));
        assertThatThrownBy(() -> data.resolve("../secret.txt", "options.attr-path"))
                .hasMessageContaining("options.attr-path")
                .hasMessageContaining("outside the trainer's data root");
        assertThatThrownBy(() -> data.resolve("escape.txt", "options.attr-path"))
                .hasMessageContaining("outside the trainer's data root");
        assertThatThrownBy(() -> data.resolve("outside/secret.txt", "options.attr-path"))
                .hasMessageContaining("outside the trainer's data root");
        assertThatThrownBy(() -> data.resolve(secret.toString(), "options.attr-path"))
                .hasMessageContaining("expected a path relative");
        assertThatThrownBy(() -> data.resolve("celeba/missing.txt", "options.attr-path"))
                .hasMessageContaining("does not exist");
    }
}
