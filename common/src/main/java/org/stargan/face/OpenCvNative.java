package org.stargan.face;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Locale;
import org.opencv.core.Core;

/**
 * Loads OpenCV's native library, which the {@code org.openpnp:opencv} jar carries. On linux-x86_64 it is unpacked once
 * into the cache directory ({@code -Dstargan.cache.dir}, else {@code $STARGAN_CACHE_DIR}, else
 * {@code ~/.cache/stargan}) and loaded from there on every later start, rather than copying its 65 MB to a new
 * temporary file per JVM as the jar's own loader does; elsewhere the jar's loader is used.
 */
public final class OpenCvNative {
    private static final String LINUX_X64 = "/nu/pattern/opencv/linux/x86_64/libopencv_java490.so";
    private static boolean loaded;

    private OpenCvNative() {}

    /** Loads the library once per JVM; fails naming what could not be read or written. */
    public static synchronized void load() {
        if (loaded) {
            return;
        }
        String os = System.getProperty("os.name", "").toLowerCase(Locale.ROOT);
        String arch = System.getProperty("os.arch", "");
        if (os.contains("linux") && (arch.equals("amd64") || arch.equals("x86_64"))) {
            System.load(unpacked().toAbsolutePath().toString());
        } else {
            nu.pattern.OpenCV.loadLocally();
        }
        loaded = true;
    }

    /** The OpenCV version loaded. */
    public static String version() {
        load();
        return Core.VERSION;
    }

    private static Path unpacked() {
        Path dir = cacheDir().resolve("opencv").resolve("4.9.0-0");
        Path lib = dir.resolve("libopencv_java490.so");
        try (InputStream in = OpenCvNative.class.getResourceAsStream(LINUX_X64)) {
            if (in == null) {
                throw new IllegalStateException(
                        "OpenCV: " + LINUX_X64 + " is not on the classpath (org.openpnp:opencv)");
            }
            long size = resourceSize();
            if (Files.isRegularFile(lib) && Files.size(lib) == size) {
                return lib;
            }
            Files.createDirectories(dir);
            // Another JVM may unpack at the same time: each writes its own file and renames it into place.
            Path tmp = Files.createTempFile(dir, "libopencv", ".part");
            try {
                Files.copy(in, tmp, StandardCopyOption.REPLACE_EXISTING);
                Files.move(tmp, lib, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            } finally {
                Files.deleteIfExists(tmp);
            }
            return lib;
        } catch (IOException e) {
            throw new IllegalStateException(
                    "OpenCV: cannot unpack its native library into " + dir + " (" + e.getMessage()
                            + "); set -Dstargan.cache.dir or STARGAN_CACHE_DIR to a writable directory",
                    e);
        }
    }

    private static long resourceSize() throws IOException {
        var url = OpenCvNative.class.getResource(LINUX_X64);
        return url.openConnection().getContentLengthLong();
    }

    private static Path cacheDir() {
        String prop = System.getProperty("stargan.cache.dir");
        if (prop != null && !prop.isBlank()) {
            return Path.of(prop);
        }
        String env = System.getenv("STARGAN_CACHE_DIR");
        if (env != null && !env.isBlank()) {
            return Path.of(env);
        }
        String xdg = System.getenv("XDG_CACHE_HOME");
        Path base = xdg != null && !xdg.isBlank() ? Path.of(xdg) : Path.of(System.getProperty("user.home"), ".cache");
        return base.resolve("stargan");
    }
}
