package org.stargan.cli;

import java.nio.file.Files;
import java.nio.file.Path;

/** Where the checkout is: the launcher passes {@code -Dstargan.home}; otherwise the working directory. */
final class ProjectPaths {
    private ProjectPaths() {}

    static Path home() {
        String home = System.getProperty("stargan.home");
        return Path.of(home != null ? home : ".").toAbsolutePath().normalize();
    }

    static Path pythonDir() {
        Path dir = home().resolve("common").resolve("python");
        return Files.isDirectory(dir) ? dir : home().resolve("python");
    }
}
