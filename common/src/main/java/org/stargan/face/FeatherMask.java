package org.stargan.face;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.opencv.core.CvType;
import org.opencv.core.Mat;

/**
 * How much of the translation replaces the photo at each pixel of the crop: 1 inside, falling smoothly to 0 over a
 * band along each feathered side, so the pasted crop shows no seam. When every side is feathered (a face crop) the
 * mask's outline is a superellipse (|x|⁴ + |y|⁴ = 1) rather than the square: it keeps the head and the hair around it
 * but not the crop's corners, which hold only background that the photo has at full resolution. The outermost ring
 * of pixels is exactly 0 on a feathered side: pixels of the photo that map outside the crop keep their values exactly.
 */
final class FeatherMask {
    /** Width of the blending band, as a share of the crop's side. */
    static final double BAND = 1.0 / 8;

    private FeatherMask() {}

    /** Masks made so far, by size and feathered sides: read-only once made (warps only read them). */
    private static final Map<String, Mat> MADE = new ConcurrentHashMap<>();

    /**
     * The mask of a crop of {@code size} whose sides (left, top, right, bottom) blend where {@code feather} says; shared,
     * never to be released or written.
     */
    static Mat of(int size, boolean[] feather) {
        return MADE.computeIfAbsent(size + java.util.Arrays.toString(feather), k -> make(size, feather));
    }

    private static Mat make(int size, boolean[] feather) {
        double band = Math.max(1, BAND * size);
        float[] ramp = new float[size];
        float[] column = new float[size];
        float[] row = new float[size];
        for (int i = 0; i < size; i++) {
            // Distance of the pixel's centre from the side, less the outer pixel, over the band; smoothstep of that.
            double t = Math.min(1, Math.max(0, (i + 0.5 - 1) / band));
            ramp[i] = (float) (t * t * (3 - 2 * t));
        }
        for (int i = 0; i < size; i++) {
            column[i] = (feather[0] ? ramp[i] : 1) * (feather[2] ? ramp[size - 1 - i] : 1);
            row[i] = (feather[1] ? ramp[i] : 1) * (feather[3] ? ramp[size - 1 - i] : 1);
        }
        boolean round = feather[0] && feather[1] && feather[2] && feather[3];
        double half = size / 2.0;
        float[] values = new float[size * size];
        for (int y = 0; y < size; y++) {
            for (int x = 0; x < size; x++) {
                if (round) {
                    double u = Math.abs(x + 0.5 - half) / half;
                    double v = Math.abs(y + 0.5 - half) / half;
                    // Distance inside the outline, in pixels along the axes, less the outer pixel, over the band.
                    double inside = (1 - Math.pow(u * u * u * u + v * v * v * v, 0.25)) * half;
                    double t = Math.min(1, Math.max(0, (inside - 1) / band));
                    values[y * size + x] = (float) (t * t * (3 - 2 * t));
                } else {
                    values[y * size + x] = row[y] * column[x];
                }
            }
        }
        Mat m = new Mat(size, size, CvType.CV_32FC1);
        m.put(0, 0, values);
        return m;
    }
}
