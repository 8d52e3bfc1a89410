package org.stargan.trainer;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Keeps a job's dataset paths inside the trainer's data root. A job names paths relative to the root; the path is
 * resolved with every symbolic link followed and must still lie under the root's own real path, so neither
 * {@code ../} nor a link planted in the data folder can make a trainer read (and publish samples of) other files.
 */
final class DataRoot {
    private final Path root;

    DataRoot(Path root) {
        this.root = root;
    }

    /** The real path of {@code relative} under the root; fails naming {@code field} when it is absolute, missing or outside. */
    Path resolve(String relative, String field) {
        if (relative.isBlank() || Path.of(relative).isAbsolute()) {
            throw new IllegalArgumentException(
                    field + ": '" + relative + "', expected a path relative to the trainer's data root");
        }
        Path real;
        Path rootReal;
        try {
            rootReal = root.toRealPath();
        } catch (IOException e) {
            throw new IllegalArgumentException(
                    field + ": the trainer's data root does not exist (" + e.getMessage() + ")");
        }
        Path candidate = rootReal.resolve(relative).normalize();
        // '..' is refused before looking at the disk, so a job cannot even learn which files exist outside.
        if (!candidate.startsWith(rootReal)) {
            throw new IllegalArgumentException(
                    field + ": '" + relative + "' leads outside the trainer's data root (through '..')");
        }
        if (!Files.exists(candidate)) {
            throw new IllegalArgumentException(
                    field + ": '" + relative + "' does not exist in the trainer's data root");
        }
        try {
            real = candidate.toRealPath();
        } catch (IOException e) {
            throw new IllegalArgumentException(
                    field + ": '" + relative + "' cannot be resolved (" + e.getMessage() + ")");
        }
        if (!real.startsWith(rootReal)) {
            throw new IllegalArgumentException(field + ": '" + relative
                    + "' leads outside the trainer's data root (through '..' or a symbolic link)");
        }
        return real;
    }
}
