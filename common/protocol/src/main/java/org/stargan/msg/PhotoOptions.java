package org.stargan.msg;

import java.util.Locale;

/**
 * How a photo becomes the model's square input and how the answer is made: which part is cropped ({@link Crop}),
 * which faces ({@link Faces}), and whether the translation is pasted back into the photo. The same options on every
 * surface: Kafka headers ({@code stargan.crop}, {@code stargan.paste}, {@code stargan.faces}), the command line
 * ({@code --crop}, {@code --paste}, {@code --faces}) and the gateway's parameters.
 *
 * @param crop what is cropped
 * @param paste whether the translated crop is warped back into the photo at its own size (else the crop is answered)
 * @param faces with {@link Crop#FACE}: the largest face only, or every face found
 */
public record PhotoOptions(Crop crop, boolean paste, Faces faces) {
    /** The behaviour before photos were handled: the centre square, answered as the model's square output. */
    public static final PhotoOptions DEFAULT = new PhotoOptions(Crop.CENTER, false, Faces.LARGEST);

    /** Validates every field. */
    public PhotoOptions {
        if (crop == null) {
            throw new IllegalArgumentException("crop: missing, expected face, center or none");
        }
        if (faces == null) {
            throw new IllegalArgumentException("faces: missing, expected largest or all");
        }
    }

    /** What part of the photo the model sees. */
    public enum Crop {
        /** Each detected face, aligned as CelebA's faces were (eyes level, at CelebA's positions and scale). */
        FACE,
        /** The centre square (the shorter side), as the official test loader does. */
        CENTER,
        /** The whole image, squeezed to a square (its aspect ratio is not kept). */
        NONE;

        /** The wire and command-line spelling. */
        public String wire() {
            return name().toLowerCase(Locale.ROOT);
        }

        /** Parses {@code value}; an unknown value fails naming {@code field}. */
        public static Crop parse(String value, String field) {
            for (Crop c : values()) {
                if (c.wire().equals(value == null ? null : value.trim())) {
                    return c;
                }
            }
            throw new IllegalArgumentException(field + ": '" + value + "', expected face, center or none");
        }
    }

    /** Which faces a {@link Crop#FACE} request translates. */
    public enum Faces {
        /** The face with the largest detection box. */
        LARGEST,
        /** Every face found (at most {@link #MAX_FACES}), largest first. */
        ALL;

        /** Faces translated at most per photo, so that a crowd cannot make one request cost a hundred. */
        public static final int MAX_FACES = 8;

        /** The wire and command-line spelling. */
        public String wire() {
            return name().toLowerCase(Locale.ROOT);
        }

        /** Parses {@code value}; an unknown value fails naming {@code field}. */
        public static Faces parse(String value, String field) {
            for (Faces f : values()) {
                if (f.wire().equals(value == null ? null : value.trim())) {
                    return f;
                }
            }
            throw new IllegalArgumentException(field + ": '" + value + "', expected largest or all");
        }
    }

    /** Parses {@code true} or {@code false}; anything else fails naming {@code field}. */
    public static boolean parsePaste(String value, String field) {
        String v = value == null ? null : value.trim();
        if ("true".equals(v)) {
            return true;
        }
        if ("false".equals(v)) {
            return false;
        }
        throw new IllegalArgumentException(field + ": '" + value + "', expected true or false");
    }

    /**
     * The options of a Kafka request's headers (each may be absent: the default applies); a bad value fails naming
     * its header.
     */
    public static PhotoOptions fromHeaders(String crop, String paste, String faces) {
        return new PhotoOptions(
                crop == null ? DEFAULT.crop() : Crop.parse(crop, Protocol.CROP),
                paste != null && parsePaste(paste, Protocol.PASTE),
                faces == null ? DEFAULT.faces() : Faces.parse(faces, Protocol.FACES));
    }

    /** Whether these options need the image as a photo (PNG or JPEG) rather than as an NPY tensor. */
    public boolean needsPhoto() {
        return crop == Crop.FACE || paste;
    }
}
