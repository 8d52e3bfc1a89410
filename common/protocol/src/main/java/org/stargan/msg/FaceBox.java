package org.stargan.msg;

import java.util.ArrayList;
import java.util.List;

/**
 * Where a face was found in a photo, in the pixels of the upright photo (after its EXIF orientation is applied, as
 * browsers show it): the detector's box, a square from the brows to about the chin.
 *
 * @param x left column
 * @param y top row
 * @param width width in pixels
 * @param height height in pixels
 */
public record FaceBox(int x, int y, int width, int height) {
    /** Validates the box. */
    public FaceBox {
        if (x < 0 || y < 0 || width < 1 || height < 1) {
            throw new IllegalArgumentException(
                    "face box: " + x + "," + y + "," + width + "," + height + ", expected x,y ≥ 0 and sides ≥ 1");
        }
    }

    /** The {@code stargan.face-boxes} header value: {@code x,y,w,h} per face, separated by {@code ;}. */
    public static String toHeader(List<FaceBox> boxes) {
        StringBuilder s = new StringBuilder();
        for (FaceBox b : boxes) {
            if (s.length() > 0) {
                s.append(';');
            }
            s.append(b.x)
                    .append(',')
                    .append(b.y)
                    .append(',')
                    .append(b.width)
                    .append(',')
                    .append(b.height);
        }
        return s.toString();
    }

    /** Parses a {@code stargan.face-boxes} value; a malformed one fails naming the header and the value. */
    public static List<FaceBox> fromHeader(String value) {
        List<FaceBox> boxes = new ArrayList<>();
        if (value == null || value.isBlank()) {
            return boxes;
        }
        for (String part : value.split(";")) {
            String[] n = part.split(",");
            try {
                if (n.length != 4) {
                    throw new NumberFormatException();
                }
                boxes.add(new FaceBox(
                        Integer.parseInt(n[0].trim()),
                        Integer.parseInt(n[1].trim()),
                        Integer.parseInt(n[2].trim()),
                        Integer.parseInt(n[3].trim())));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(
                        Protocol.FACE_BOXES + ": '" + value + "', expected x,y,w,h;... with whole numbers");
            }
        }
        return boxes;
    }
}
