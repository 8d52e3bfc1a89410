package org.stargan.face;

import org.stargan.msg.FaceBox;

/**
 * A face found in a photo, in continuous pixel coordinates of the upright photo (pixel (i, j) covers [i, i+1) ×
 * [j, j+1), so its centre is (i + 0.5, j + 0.5)).
 *
 * @param box the face detector's box
 * @param leftEye the centre of the eye on the image's left (the person's right eye)
 * @param rightEye the centre of the eye on the image's right
 * @param eyesFound how many eyes the eye detectors found: 2; 1 (the other mirrored across the box's centre line, at
 *     the same height); 0 (both estimated from the box)
 */
public record Face(FaceBox box, Point leftEye, Point rightEye, int eyesFound) {
    /**
     * A point in continuous pixel coordinates.
     *
     * @param x column coordinate
     * @param y row coordinate
     */
    public record Point(double x, double y) {
        /** Distance to {@code o}. */
        public double distance(Point o) {
            return Math.hypot(x - o.x, y - o.y);
        }
    }

    /** Area of the detection box, for picking the largest face. */
    public long area() {
        return (long) box.width() * box.height();
    }
}
