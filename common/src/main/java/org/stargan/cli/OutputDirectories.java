package org.stargan.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.stargan.options.OptionException;
import org.stargan.options.OptionValues;

/** Creates a command's output directories up front, so that a path that cannot be one is reported by its option. */
final class OutputDirectories {
    private OutputDirectories() {}

    /**
     * Creates the directory option {@code name} gives (or defaults to); an {@link OptionException} names the option,
     * the path, what is in the way and what to do.
     */
    static Path create(OptionValues o, String name) {
        Path dir = Path.of(o.text(name));
        Path blocking = firstFile(dir);
        if (blocking != null) {
            throw new OptionException(o.table().command() + ": --" + name + " " + dir + ": " + blocking
                    + " is a file, not a directory; choose another --" + name);
        }
        try {
            return Files.createDirectories(dir);
        } catch (IOException e) {
            throw new OptionException(o.table().command() + ": --" + name + " " + dir + ": cannot create it ("
                    + e.getMessage() + "); choose another --" + name);
        }
    }

    /** The first component of {@code dir} that exists and is not a directory, or null. */
    private static Path firstFile(Path dir) {
        Path p = dir.isAbsolute() ? dir.getRoot() : null;
        for (Path part : dir) {
            p = p == null ? part : p.resolve(part);
            if (Files.exists(p) && !Files.isDirectory(p)) {
                return p;
            }
        }
        return null;
    }
}
