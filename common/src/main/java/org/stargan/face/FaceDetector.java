package org.stargan.face;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.opencv.core.Mat;
import org.opencv.core.MatOfRect;
import org.opencv.core.Rect;
import org.opencv.core.Size;
import org.opencv.imgproc.Imgproc;
import org.opencv.objdetect.CascadeClassifier;
import org.stargan.msg.FaceBox;

/**
 * Finds frontal faces and their eyes with OpenCV's cascade classifiers ({@code lbpcascade_frontalface} for faces: on
 * the two test photos it boxes the faces as well as {@code haarcascade_frontalface_alt2} and costs a quarter of its
 * time; {@code haarcascade_eye}, and {@code haarcascade_eye_tree_eyeglasses} when the first misses an eye). The cascade
 * files come with OpenCV's data (Debian and Ubuntu: package {@code opencv-data}, {@code /usr/share/opencv4}, in its
 * {@code lbpcascades/} and {@code haarcascades/}); {@code -Dstargan.face.cascades} or {@code STARGAN_FACE_CASCADES}
 * names another folder laid out the same way.
 *
 * <p>Faces are searched on a copy whose longer side is {@value #SEARCH_SIDE} px (the cascades' cost grows with the
 * pixels, and faces smaller than {@value #MIN_FACE} px there are too small to translate at 128 px anyway); eyes are
 * searched in the upper part of each face at full resolution, scaled so the face is {@value #EYE_FACE_WIDTH} px wide.
 * Not thread-safe (OpenCV's classifiers keep buffers): one detector per thread.
 */
public final class FaceDetector {
    /** Longer side of the image the face search runs on. */
    static final int SEARCH_SIDE = 320;
    /** Smallest face side searched for, in pixels of that image. */
    static final int MIN_FACE = 24;
    /** Width the face is scaled to for the eye search. */
    static final int EYE_FACE_WIDTH = 160;

    /**
     * Where the eyes usually sit in an {@code lbpcascade_frontalface} box, as fractions of its side: used to pick among
     * eye candidates and, when the eye detectors find none, as the estimate. From the hand-marked eye centres of the two
     * test photos in their boxes: the skimage astronaut (0.302, 0.361) and (0.733, 0.381), matplotlib's Grace Hopper
     * (0.298, 0.374) and (0.693, 0.355); the means, rounded.
     */
    static final double EYE_U_LEFT = 0.30;

    static final double EYE_U_RIGHT = 0.71;
    static final double EYE_V = 0.37;

    private final CascadeClassifier faces;
    private final CascadeClassifier eyes;
    private final CascadeClassifier eyesWithGlasses;

    /** Loads the cascades from {@link #cascadeDir()}. */
    public FaceDetector() {
        this(cascadeDir());
    }

    /** Loads the cascades from OpenCV's data folder {@code dir}; fails naming the missing file and its package. */
    public FaceDetector(Path dir) {
        OpenCvNative.load();
        faces = cascade(dir, "lbpcascades/lbpcascade_frontalface.xml");
        eyes = cascade(dir, "haarcascades/haarcascade_eye.xml");
        eyesWithGlasses = cascade(dir, "haarcascades/haarcascade_eye_tree_eyeglasses.xml");
    }

    /** The folder of OpenCV's data: the setting, else where Debian and Ubuntu install it. */
    public static Path cascadeDir() {
        String prop = System.getProperty("stargan.face.cascades");
        if (prop != null && !prop.isBlank()) {
            return Path.of(prop);
        }
        String env = System.getenv("STARGAN_FACE_CASCADES");
        return Path.of(env != null && !env.isBlank() ? env : "/usr/share/opencv4");
    }

    /** The smallest face side found in a photo of {@code width}×{@code height}, in its pixels. */
    public static int minFaceSide(int width, int height) {
        double scale = Math.min(1.0, SEARCH_SIDE / (double) Math.max(width, height));
        return (int) Math.ceil(MIN_FACE / scale);
    }

    private static CascadeClassifier cascade(Path dir, String file) {
        Path p = dir.resolve(file);
        if (!Files.isRegularFile(p)) {
            throw new IllegalStateException("face detection needs OpenCV's cascade file " + p
                    + ", which is missing: install OpenCV's data (Debian/Ubuntu package opencv-data) or set"
                    + " STARGAN_FACE_CASCADES (-Dstargan.face.cascades) to the folder holding " + file
                    + " (default /usr/share/opencv4)");
        }
        CascadeClassifier c = new CascadeClassifier(p.toString());
        if (c.empty()) {
            throw new IllegalStateException("face detection: " + p + " is not an OpenCV cascade classifier");
        }
        return c;
    }

    /**
     * The faces of an upright 8-bit BGR photo, largest first: the boxes in which an eye was found, or, when there is
     * no such box, the largest box with its eyes estimated; none: an empty list.
     */
    public List<Face> detect(Mat bgr) {
        Mat gray = new Mat();
        Imgproc.cvtColor(bgr, gray, Imgproc.COLOR_BGR2GRAY);
        double scale = Math.min(1.0, SEARCH_SIDE / (double) Math.max(gray.cols(), gray.rows()));
        Mat small = new Mat();
        Imgproc.resize(gray, small, new Size(), scale, scale, Imgproc.INTER_AREA);
        Imgproc.equalizeHist(small, small);
        MatOfRect found = new MatOfRect();
        faces.detectMultiScale(small, found, 1.15, 3, 0, new Size(MIN_FACE, MIN_FACE), new Size());
        List<Face> result = new ArrayList<>();
        for (Rect r : found.toArray()) {
            int x = clamp((int) Math.round(r.x / scale), gray.cols() - 1);
            int y = clamp((int) Math.round(r.y / scale), gray.rows() - 1);
            int w = Math.max(1, Math.min(gray.cols() - x, (int) Math.round(r.width / scale)));
            int h = Math.max(1, Math.min(gray.rows() - y, (int) Math.round(r.height / scale)));
            result.add(withEyes(gray, new FaceBox(x, y, w, h)));
        }
        // OpenCV's Java Mats free their native memory only when finalised: release the big ones now.
        found.release();
        small.release();
        gray.release();
        result.sort(Comparator.comparingLong(Face::area).reversed());
        // A box in which an eye was found is a face far more surely than one without (the face cascade also
        // fires on folds of clothing and on machinery): those are the faces; only when there is none does the
        // largest box count, its eyes estimated.
        List<Face> withEyes = result.stream().filter(f -> f.eyesFound() > 0).toList();
        return !withEyes.isEmpty() ? withEyes : result.isEmpty() ? List.of() : List.of(result.get(0));
    }

    private static int clamp(int v, int max) {
        return Math.max(0, Math.min(max, v));
    }

    /**
     * Finds the eyes inside {@code box}: the eye cascade over the band where eyes lie, then the eyeglasses cascade over
     * the half where an eye is still missing. One eye found: the other mirrored across the box's centre line. None, or
     * two that do not fit a face's geometry: both estimated from the box.
     */
    private Face withEyes(Mat gray, FaceBox box) {
        Face.Point expectedLeft = new Face.Point(box.x() + EYE_U_LEFT * box.width(), box.y() + EYE_V * box.height());
        Face.Point expectedRight = new Face.Point(box.x() + EYE_U_RIGHT * box.width(), box.y() + EYE_V * box.height());
        // The eyes lie in the band between 15% and 60% of the box's height.
        int top = box.y() + (int) Math.round(0.15 * box.height());
        int bottom = Math.min(gray.rows(), box.y() + (int) Math.round(0.60 * box.height()));
        Mat band = gray.submat(new Rect(box.x(), top, box.width(), Math.max(1, bottom - top)));
        double s = EYE_FACE_WIDTH / (double) box.width();
        Mat scaled = new Mat();
        // No histogram equalisation here: it drowns eyes behind glasses in their lenses' reflections.
        Imgproc.resize(band, scaled, new Size(), s, s, s < 1 ? Imgproc.INTER_AREA : Imgproc.INTER_LINEAR);
        Face.Point[] eyesFound = {null, null};
        search(eyes, scaled, 0, box, top, s, expectedLeft, expectedRight, eyesFound);
        for (int side = 0; side < 2; side++) {
            if (eyesFound[side] == null) {
                // The half of the band on that side, with a little overlap past the middle.
                int from = side == 0 ? 0 : (int) (0.45 * scaled.cols());
                int to = side == 0 ? (int) Math.ceil(0.55 * scaled.cols()) : scaled.cols();
                Mat half = scaled.submat(new Rect(from, 0, to - from, scaled.rows()));
                search(eyesWithGlasses, half, from, box, top, s, expectedLeft, expectedRight, eyesFound);
                half.release();
            }
        }
        scaled.release();
        band.release();
        Face.Point left = eyesFound[0];
        Face.Point right = eyesFound[1];
        double centre = box.x() + box.width() / 2.0;
        if (left != null && right != null && plausible(left, right, box)) {
            return new Face(box, left, right, 2);
        }
        if (left != null && right == null && plausible(left, mirror(left, centre), box)) {
            return new Face(box, left, mirror(left, centre), 1);
        }
        if (right != null && left == null && plausible(mirror(right, centre), right, box)) {
            return new Face(box, mirror(right, centre), right, 1);
        }
        return new Face(box, expectedLeft, expectedRight, 0);
    }

    private static Face.Point mirror(Face.Point p, double centre) {
        return new Face.Point(2 * centre - p.x(), p.y());
    }

    /**
     * Runs {@code cascade} on {@code image} (a part of the scaled band starting at column {@code offset}) and keeps, per
     * side, the candidate nearest where that eye is expected, if it is near enough.
     */
    private static void search(
            CascadeClassifier cascade,
            Mat image,
            int offset,
            FaceBox box,
            int top,
            double s,
            Face.Point expectedLeft,
            Face.Point expectedRight,
            Face.Point[] best) {
        MatOfRect found = new MatOfRect();
        cascade.detectMultiScale(
                image,
                found,
                1.1,
                3,
                0,
                // An eye's box is a tenth to a quarter of the face's width.
                new Size(EYE_FACE_WIDTH / 10.0, EYE_FACE_WIDTH / 10.0),
                new Size(EYE_FACE_WIDTH / 4.0, EYE_FACE_WIDTH / 4.0));
        for (Rect r : found.toArray()) {
            Face.Point p =
                    new Face.Point(box.x() + (offset + r.x + r.width / 2.0) / s, top + (r.y + r.height / 2.0) / s);
            int side = p.x() < box.x() + box.width() / 2.0 ? 0 : 1;
            Face.Point expected = side == 0 ? expectedLeft : expectedRight;
            if (p.distance(expected) > 0.2 * box.width()) {
                continue; // an eyebrow, a nostril or the other eye's shadow
            }
            if (best[side] == null || p.distance(expected) < best[side].distance(expected)) {
                best[side] = p;
            }
        }
        found.release();
    }

    /** Eyes a quarter to two thirds of the face apart, their line tilted less than about 27°. */
    private static boolean plausible(Face.Point left, Face.Point right, FaceBox box) {
        double dx = right.x() - left.x();
        double dy = Math.abs(right.y() - left.y());
        double d = left.distance(right);
        return dx > 0 && dy < 0.5 * dx && d > 0.25 * box.width() && d < 0.66 * box.width();
    }
}
