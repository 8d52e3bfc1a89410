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
 * Finds frontal faces and their eyes with OpenCV's cascade classifiers ({@code haarcascade_frontalface_alt2},
 * {@code haarcascade_eye}, and {@code haarcascade_eye_tree_eyeglasses} when the first misses an eye). The cascade
 * files come with OpenCV's data (Debian and Ubuntu: package {@code opencv-data}, {@code /usr/share/opencv4/haarcascades});
 * {@code -Dstargan.face.cascades} or {@code STARGAN_FACE_CASCADES} names another folder.
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
     * Where the eyes usually sit in a {@code frontalface_alt2} box, as fractions of its side: used to pick among eye
     * candidates and, when the eye detectors find none, as the estimate. From the hand-marked eye centres of the two test
     * photos in their boxes: the skimage astronaut (0.281, 0.352) and (0.724, 0.372), matplotlib's Grace Hopper
     * (0.289, 0.381) and (0.654, 0.363); the means, rounded.
     */
    static final double EYE_U_LEFT = 0.285;

    static final double EYE_U_RIGHT = 0.69;
    static final double EYE_V = 0.37;

    private final CascadeClassifier faces;
    private final CascadeClassifier eyes;
    private final CascadeClassifier eyesWithGlasses;

    /** Loads the cascades from {@link #cascadeDir()}. */
    public FaceDetector() {
        this(cascadeDir());
    }

    /** Loads the cascades from {@code dir}; fails naming the missing file and where it comes from. */
    public FaceDetector(Path dir) {
        OpenCvNative.load();
        faces = cascade(dir, "haarcascade_frontalface_alt2.xml");
        eyes = cascade(dir, "haarcascade_eye.xml");
        eyesWithGlasses = cascade(dir, "haarcascade_eye_tree_eyeglasses.xml");
    }

    /** The folder of the cascade files: the setting, else OpenCV's data as Debian and Ubuntu install it. */
    public static Path cascadeDir() {
        String prop = System.getProperty("stargan.face.cascades");
        if (prop != null && !prop.isBlank()) {
            return Path.of(prop);
        }
        String env = System.getenv("STARGAN_FACE_CASCADES");
        return Path.of(env != null && !env.isBlank() ? env : "/usr/share/opencv4/haarcascades");
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
                    + " STARGAN_FACE_CASCADES (-Dstargan.face.cascades) to the folder holding " + file);
        }
        CascadeClassifier c = new CascadeClassifier(p.toString());
        if (c.empty()) {
            throw new IllegalStateException("face detection: " + p + " is not an OpenCV cascade classifier");
        }
        return c;
    }

    /**
     * The faces of an upright 8-bit BGR photo, largest first: the boxes in which both eyes were found, or, when there is
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
        faces.detectMultiScale(small, found, 1.1, 3, 0, new Size(MIN_FACE, MIN_FACE), new Size());
        List<Face> result = new ArrayList<>();
        for (Rect r : found.toArray()) {
            int x = clamp((int) Math.round(r.x / scale), gray.cols() - 1);
            int y = clamp((int) Math.round(r.y / scale), gray.rows() - 1);
            int w = Math.max(1, Math.min(gray.cols() - x, (int) Math.round(r.width / scale)));
            int h = Math.max(1, Math.min(gray.rows() - y, (int) Math.round(r.height / scale)));
            result.add(withEyes(gray, new FaceBox(x, y, w, h)));
        }
        result.sort(Comparator.comparingLong(Face::area).reversed());
        // A box in which both eyes were found is a face far more surely than one without (the face cascade also
        // fires on folds of clothing and on machinery): those are the faces; only when there is none does the
        // largest box count, its eyes estimated.
        List<Face> withEyes = result.stream().filter(Face::eyesDetected).toList();
        return !withEyes.isEmpty() ? withEyes : result.isEmpty() ? List.of() : List.of(result.get(0));
    }

    private static int clamp(int v, int max) {
        return Math.max(0, Math.min(max, v));
    }

    /** Finds the eyes inside {@code box}; when the eye detectors fail or disagree with a face's geometry, estimates. */
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
        Face.Point left = null;
        Face.Point right = null;
        for (CascadeClassifier c : List.of(eyes, eyesWithGlasses)) {
            if (left != null && right != null) {
                break;
            }
            MatOfRect found = new MatOfRect();
            c.detectMultiScale(
                    scaled,
                    found,
                    1.1,
                    3,
                    0,
                    new Size(EYE_FACE_WIDTH / 10.0, EYE_FACE_WIDTH / 10.0),
                    new Size(EYE_FACE_WIDTH / 3.0, EYE_FACE_WIDTH / 3.0));
            for (Rect r : found.toArray()) {
                Face.Point p = new Face.Point(box.x() + (r.x + r.width / 2.0) / s, top + (r.y + r.height / 2.0) / s);
                boolean onLeft = p.x() < box.x() + box.width() / 2.0;
                Face.Point expected = onLeft ? expectedLeft : expectedRight;
                if (p.distance(expected) > 0.2 * box.width()) {
                    continue; // an eyebrow, a nostril or the other eye's shadow
                }
                if (onLeft && (left == null || p.distance(expected) < left.distance(expected))) {
                    left = p;
                } else if (!onLeft && (right == null || p.distance(expected) < right.distance(expected))) {
                    right = p;
                }
            }
        }
        if (left != null && right != null && plausible(left, right, box)) {
            return new Face(box, left, right, true);
        }
        return new Face(box, expectedLeft, expectedRight, false);
    }

    /** Eyes a quarter to two thirds of the face apart, their line tilted less than about 27°. */
    private static boolean plausible(Face.Point left, Face.Point right, FaceBox box) {
        double dx = right.x() - left.x();
        double dy = Math.abs(right.y() - left.y());
        double d = left.distance(right);
        return dx > 0 && dy < 0.5 * dx && d > 0.25 * box.width() && d < 0.66 * box.width();
    }
}
