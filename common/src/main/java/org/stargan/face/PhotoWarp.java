package org.stargan.face;

import java.util.List;
import org.opencv.core.Core;
import org.opencv.core.CvType;
import org.opencv.core.Mat;
import org.opencv.core.Rect;
import org.opencv.core.Size;
import org.opencv.imgproc.Imgproc;

/**
 * Moves pixels between a photo and a crop along a {@link CropTransform}: {@link #extract} makes the model's input,
 * {@link #paste} blends the model's output back into the photo under the crop's {@link FeatherMask}. Both work on 8-bit
 * BGR {@link Mat}s (OpenCV's layout) and on the network's (3, S, S) RGB tensors in [−1, 1].
 */
public final class PhotoWarp {
    private PhotoWarp() {}

    /**
     * The crop of {@code bgr} as a (3, S, S) RGB tensor in [−1, 1]. Shrinking is done first by area averaging (as
     * the training loader's antialiased resize does), then the rotation by bilinear interpolation; photo borders are
     * repeated where the crop reaches past them.
     */
    public static float[] extract(Mat bgr, CropTransform t) {
        int size = t.size();
        Rect bounds = t.sourceBounds(bgr.cols(), bgr.rows());
        if (bounds.width < 1 || bounds.height < 1) {
            throw new IllegalArgumentException("crop lies outside the " + bgr.cols() + "×" + bgr.rows() + " photo");
        }
        double fx = Math.min(1, t.scaleX());
        double fy = Math.min(1, t.scaleY());
        // Bilinear sampling after shrinking needs a pixel or two of the photo beyond the crop's own bounds.
        int mx = (int) Math.ceil(2 / fx);
        int my = (int) Math.ceil(2 / fy);
        int x0 = Math.max(0, bounds.x - mx);
        int y0 = Math.max(0, bounds.y - my);
        int x1 = Math.min(bgr.cols(), bounds.x + bounds.width + mx);
        int y1 = Math.min(bgr.rows(), bounds.y + bounds.height + my);
        Mat part = bgr.submat(new Rect(x0, y0, x1 - x0, y1 - y0));
        Mat source = part;
        if (fx < 1 || fy < 1) {
            int w = Math.max(1, (int) Math.round(part.cols() * fx));
            int h = Math.max(1, (int) Math.round(part.rows() * fy));
            source = new Mat();
            Imgproc.resize(part, source, new Size(w, h), 0, 0, Imgproc.INTER_AREA);
            fx = w / (double) part.cols();
            fy = h / (double) part.rows();
        }
        Mat crop = new Mat();
        Mat m = t.toOpenCv(x0, y0, fx, fy);
        Imgproc.warpAffine(source, crop, m, new Size(size, size), Imgproc.INTER_LINEAR, Core.BORDER_REPLICATE);
        float[] tensor = toTensor(crop);
        // OpenCV's Java Mats free their native memory only when finalised: release them now.
        crop.release();
        m.release();
        if (source != part) {
            source.release();
        }
        part.release();
        return tensor;
    }

    /**
     * Blends {@code output} (the model's (3, S, S) RGB output for the crop, in [−1, 1]) into {@code bgr} in place,
     * weighted by the crop's feathered mask. Pixels the mask gives no weight keep their bytes exactly.
     */
    public static void paste(Mat bgr, float[] output, CropTransform t) {
        int size = t.size();
        if (output.length != 3 * size * size) {
            throw new IllegalArgumentException(
                    "output: " + output.length + " values, expected 3×" + size + "×" + size + " for the crop");
        }
        Rect roi = t.sourceBounds(bgr.cols(), bgr.rows());
        if (roi.width < 1 || roi.height < 1) {
            return;
        }
        Mat toRoi = t.toOpenCv(roi.x, roi.y, 1, 1);
        int flags = Imgproc.INTER_LINEAR | Imgproc.WARP_INVERSE_MAP;
        Mat image = toImage(output, size);
        Mat warped = new Mat();
        Imgproc.warpAffine(image, warped, toRoi, roi.size(), flags, Core.BORDER_REPLICATE);
        Mat weight = new Mat();
        Imgproc.warpAffine(
                FeatherMask.of(size, t.featherSides()), weight, toRoi, roi.size(), flags, Core.BORDER_REPLICATE);
        // translated·w + photo·(1 − w), rounded; written only where w > 0, so every other pixel keeps its bytes.
        Mat rest = new Mat();
        Core.subtract(Mat.ones(weight.size(), CvType.CV_32FC1), weight, rest);
        Mat target = bgr.submat(roi);
        Mat blended = new Mat();
        Imgproc.blendLinear(warped, target, weight, rest, blended);
        Mat touched = new Mat();
        Imgproc.threshold(weight, touched, 0, 255, Imgproc.THRESH_BINARY);
        touched.convertTo(touched, CvType.CV_8UC1);
        blended.copyTo(target, touched);
        for (Mat done : List.of(image, warped, weight, rest, blended, touched, target, toRoi)) {
            done.release();
        }
    }

    /** An 8-bit BGR image as a (3, H, W) RGB tensor in [−1, 1] (ToTensor then Normalize(0.5, 0.5)). */
    static float[] toTensor(Mat bgr) {
        int n = bgr.rows() * bgr.cols();
        byte[] b = new byte[3 * n];
        bgr.get(0, 0, b);
        float[] chw = new float[3 * n];
        for (int i = 0; i < n; i++) {
            chw[i] = (b[3 * i + 2] & 0xff) / 255f * 2f - 1f;
            chw[n + i] = (b[3 * i + 1] & 0xff) / 255f * 2f - 1f;
            chw[2 * n + i] = (b[3 * i] & 0xff) / 255f * 2f - 1f;
        }
        return chw;
    }

    /** A (3, S, S) RGB tensor in [−1, 1] as an 8-bit BGR image, as {@code save_image} rounds it. */
    private static Mat toImage(float[] chw, int size) {
        int n = size * size;
        byte[] bgr = new byte[3 * n];
        for (int i = 0; i < n; i++) {
            bgr[3 * i] = to8bit(chw[2 * n + i]);
            bgr[3 * i + 1] = to8bit(chw[n + i]);
            bgr[3 * i + 2] = to8bit(chw[i]);
        }
        Mat m = new Mat(size, size, CvType.CV_8UC3);
        m.put(0, 0, bgr);
        return m;
    }

    private static byte to8bit(float v) {
        return (byte) Math.max(0, Math.min(255, (int) ((v + 1f) * 127.5f + 0.5f)));
    }
}
