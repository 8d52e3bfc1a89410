package org.stargan.face;

import org.opencv.core.CvType;
import org.opencv.core.Mat;
import org.opencv.core.Rect;

/**
 * The affine map from a photo to the model's square input, in continuous pixel coordinates (pixel (i, j) covers
 * [i, i+1) × [j, j+1)): {@code x' = a·x + b·y + c}, {@code y' = d·x + e·y + f}, the crop being [0, size)². The same
 * map takes the translation back into the photo ({@link PhotoWarp#paste}).
 *
 * @param a x' per x
 * @param b x' per y
 * @param c x' offset
 * @param d y' per x
 * @param e y' per y
 * @param f y' offset
 * @param size side of the crop
 * @param featherSides which crop sides blend into the photo when pasted back: left, top, right, bottom (a side lying on
 *     the photo's own border, as a centre crop's may, needs no blending)
 */
public record CropTransform(
        double a, double b, double c, double d, double e, double f, int size, boolean[] featherSides) {
    /** Validates the map. */
    public CropTransform {
        double det = a * e - b * d;
        if (!(Math.abs(det) > 1e-12) || size < 1) {
            throw new IllegalArgumentException("crop transform: determinant " + det + ", size " + size
                    + ", expected an invertible map onto a square of side ≥ 1");
        }
        featherSides = featherSides.clone();
    }

    /** Which sides blend into the photo (left, top, right, bottom); a copy. */
    @Override
    public boolean[] featherSides() {
        return featherSides.clone();
    }

    /**
     * The centre square of a {@code width}×{@code height} photo (the shorter side, offset as
     * {@link org.stargan.data.ImageCodec#toTensor} crops it) scaled to {@code size}; its sides on the photo's border are
     * not feathered.
     */
    public static CropTransform centre(int width, int height, int size) {
        int side = Math.min(width, height);
        int x0 = (width - side) / 2;
        int y0 = (height - side) / 2;
        double s = size / (double) side;
        boolean[] feather = {x0 > 0, y0 > 0, x0 + side < width, y0 + side < height};
        return new CropTransform(s, 0, -s * x0, 0, s, -s * y0, size, feather);
    }

    /** The whole photo squeezed to {@code size}×{@code size}: nothing around it to blend into. */
    public static CropTransform whole(int width, int height, int size) {
        return new CropTransform(size / (double) width, 0, 0, 0, size / (double) height, 0, size, new boolean[] {
            false, false, false, false
        });
    }

    /**
     * The similarity that takes {@code from1} to {@code to1} and {@code from2} to {@code to2} (rotation, uniform scale,
     * translation), every side feathered.
     */
    public static CropTransform similarity(
            Face.Point from1, Face.Point from2, Face.Point to1, Face.Point to2, int size) {
        double fx = from2.x() - from1.x();
        double fy = from2.y() - from1.y();
        double tx = to2.x() - to1.x();
        double ty = to2.y() - to1.y();
        double den = fx * fx + fy * fy;
        // The complex number (p + iq) = (t / f) is the rotation times the scale.
        double p = (tx * fx + ty * fy) / den;
        double q = (ty * fx - tx * fy) / den;
        double c = to1.x() - (p * from1.x() - q * from1.y());
        double f = to1.y() - (q * from1.x() + p * from1.y());
        return new CropTransform(p, -q, c, q, p, f, size, new boolean[] {true, true, true, true});
    }

    /** Where photo point {@code p} lands in the crop. */
    public Face.Point apply(Face.Point p) {
        return new Face.Point(a * p.x() + b * p.y() + c, d * p.x() + e * p.y() + f);
    }

    /** Where crop point {@code p} comes from in the photo. */
    public Face.Point invert(Face.Point p) {
        double det = a * e - b * d;
        double x = p.x() - c;
        double y = p.y() - f;
        return new Face.Point((e * x - b * y) / det, (-d * x + a * y) / det);
    }

    /** How much the map stretches the photo's x direction (its first column's length). */
    public double scaleX() {
        return Math.hypot(a, d);
    }

    /** How much the map stretches the photo's y direction. */
    public double scaleY() {
        return Math.hypot(b, e);
    }

    /**
     * The photo pixels whose centres may land inside the crop: the bounding box of the crop's corners mapped back,
     * one pixel wider each way, clipped to the photo. Empty (width 0) when the crop lies outside it.
     */
    public Rect sourceBounds(int width, int height) {
        double minX = Double.MAX_VALUE;
        double minY = Double.MAX_VALUE;
        double maxX = -Double.MAX_VALUE;
        double maxY = -Double.MAX_VALUE;
        for (int corner = 0; corner < 4; corner++) {
            Face.Point p = invert(new Face.Point((corner & 1) * size, (corner >> 1) * size));
            minX = Math.min(minX, p.x());
            minY = Math.min(minY, p.y());
            maxX = Math.max(maxX, p.x());
            maxY = Math.max(maxY, p.y());
        }
        int x0 = Math.max(0, (int) Math.floor(minX) - 1);
        int y0 = Math.max(0, (int) Math.floor(minY) - 1);
        int x1 = Math.min(width, (int) Math.ceil(maxX) + 1);
        int y1 = Math.min(height, (int) Math.ceil(maxY) + 1);
        return new Rect(x0, y0, Math.max(0, x1 - x0), Math.max(0, y1 - y0));
    }

    /**
     * This map in OpenCV's convention (pixel centres at whole numbers), for the part of the photo starting at
     * ({@code x0}, {@code y0}) and with the source's axes shrunk by ({@code fx}, {@code fy}): a 2×3 {@code CV_64F} matrix
     * for {@code warpAffine}.
     */
    Mat toOpenCv(double x0, double y0, double fx, double fy) {
        // Continuous source coordinates of the shrunk part: x = x0 + u / fx (u continuous in the part).
        double a2 = a / fx;
        double b2 = b / fy;
        double d2 = d / fx;
        double e2 = e / fy;
        double c2 = a * x0 + b * y0 + c;
        double f2 = d * x0 + e * y0 + f;
        // From continuous to pixel-centre coordinates on both sides: u = u_cv + 0.5, x' = x'_cv + 0.5.
        Mat m = new Mat(2, 3, CvType.CV_64F);
        m.put(0, 0, a2, b2, c2 + 0.5 * (a2 + b2) - 0.5, d2, e2, f2 + 0.5 * (d2 + e2) - 0.5);
        return m;
    }
}
