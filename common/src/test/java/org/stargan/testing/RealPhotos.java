package org.stargan.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Real photographs that Debian's packages ship, with what a person marked on them: the centres of the eyes (read off
 * the pixels at 20× zoom, to about a pixel) and the face's extent (cheek to cheek, brows to chin). The photos are read
 * where the packages install them; a missing one fails the test naming the package to install ({@code .ci/run}
 * installs them), it never skips.
 */
public final class RealPhotos {
    private RealPhotos() {}

    /**
     * A photo with a person's annotation: eye centres in continuous pixel coordinates (pixel (i, j) covers [i, i+1) ×
     * [j, j+1)) and the face's extent [x0, x1) × [y0, y1).
     *
     * @param path where the package installs it
     * @param debianPackage the package
     * @param licence its terms, as its package states them
     * @param leftEyeX image-left eye
     * @param leftEyeY image-left eye
     * @param rightEyeX image-right eye
     * @param rightEyeY image-right eye
     * @param faceX0 face extent
     * @param faceY0 face extent
     * @param faceX1 face extent
     * @param faceY1 face extent
     */
    public record Annotated(
            Path path,
            String debianPackage,
            String licence,
            double leftEyeX,
            double leftEyeY,
            double rightEyeX,
            double rightEyeY,
            int faceX0,
            int faceY0,
            int faceX1,
            int faceY1) {
        /** The file's bytes; fails naming the package when it is not installed. */
        public byte[] bytes() {
            return read(path, debianPackage);
        }
    }

    /** Eileen Collins, NASA astronaut portrait, 512×512 PNG; public domain (scikit-image's data). */
    public static final Annotated ASTRONAUT = new Annotated(
            Path.of("/usr/lib/python3/dist-packages/skimage/data/astronaut.png"),
            "python3-skimage",
            "public domain (NASA)",
            203.5,
            100.5,
            247.0,
            102.5,
            182,
            78,
            268,
            165);

    /** Grace Hopper, US Navy portrait with glasses, 512×600 JPEG; public domain (matplotlib's sample data). */
    public static final Annotated GRACE_HOPPER = new Annotated(
            Path.of("/usr/share/matplotlib/mpl-data/sample_data/grace_hopper.jpg"),
            "python-matplotlib-data",
            "public domain (US Navy)",
            221.5,
            189.5,
            304.5,
            185.5,
            163,
            143,
            370,
            317);

    /** Photos with no human face: a coffee cup (CC0), a cat (CC0), a rocket launch (public domain); scikit-image's. */
    public static final String[] NO_FACE = {"coffee.png", "chelsea.png", "rocket.jpg"};

    /** One of the no-face photos. */
    public static byte[] noFace(String name) {
        return read(Path.of("/usr/lib/python3/dist-packages/skimage/data", name), "python3-skimage");
    }

    private static byte[] read(Path path, String debianPackage) {
        if (!Files.isRegularFile(path)) {
            throw new AssertionError(
                    "test photo " + path + " is missing: apt-get install " + debianPackage + " (.ci/run installs it)");
        }
        try {
            return Files.readAllBytes(path);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
