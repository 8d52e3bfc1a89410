package org.stargan.bench;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.opencv.core.Core;
import org.stargan.face.CelebAAlignment;
import org.stargan.face.CropTransform;
import org.stargan.face.Face;
import org.stargan.face.FaceDetector;
import org.stargan.face.Photo;
import org.stargan.face.PhotoCrops;
import org.stargan.face.PhotoWarp;
import org.stargan.msg.FaceBox;
import org.stargan.msg.PhotoOptions;

/**
 * Times what a photo costs around the generator: face and eye detection, alignment (the crop's transform and the
 * warp into the model's input), and paste-back (the warp back and the feathered blend into a copy of the photo).
 * Decoding and encoding the file are not included (they are the same with or without faces). Each step is timed by
 * the wall clock and by the CPU time of the thread that runs it, with OpenCV on that one thread: on a shared machine
 * other work stretches the first but hardly the second, which is what the steps take on an idle core. Optionally
 * measures the detection against a person's marks: the eye positions after alignment, and the box's overlap.
 */
public final class FaceBench {
    private static final PhotoOptions FACE_PASTE =
            new PhotoOptions(PhotoOptions.Crop.FACE, true, PhotoOptions.Faces.LARGEST);

    private FaceBench() {}

    /**
     * A person's marks on a photo: eye centres (continuous pixel coordinates) and the face's extent, any may be null.
     *
     * @param eyes image-left x, y, image-right x, y
     * @param face x0, y0, x1, y1
     */
    public record Marks(double[] eyes, double[] face) {}

    /**
     * Runs {@code warmup} untimed and {@code iters} timed repetitions on {@code photo}; returns the report (medians and
     * 90th percentiles in ms, the face found, and the errors against {@code marks}).
     */
    public static Map<String, Object> run(Photo photo, int size, int warmup, int iters, Marks marks) {
        FaceDetector detector = new FaceDetector();
        int threads = Core.getNumThreads();
        Core.setNumThreads(1);
        ThreadMXBean cpu = ManagementFactory.getThreadMXBean();
        List<Double> detect = new ArrayList<>();
        List<Double> align = new ArrayList<>();
        List<Double> paste = new ArrayList<>();
        List<Double> total = new ArrayList<>();
        List<Double> detectCpu = new ArrayList<>();
        List<Double> alignCpu = new ArrayList<>();
        List<Double> pasteCpu = new ArrayList<>();
        List<Double> totalCpu = new ArrayList<>();
        PhotoCrops crops = null;
        for (int i = 0; i < warmup + iters; i++) {
            // The steps of PhotoCrops.prepare and pasteBack for the largest face, timed one by one.
            long c0 = cpu.getCurrentThreadCpuTime();
            long t0 = System.nanoTime();
            List<Face> faces = detector.detect(photo.bgr());
            long c1 = cpu.getCurrentThreadCpuTime();
            long t1 = System.nanoTime();
            if (faces.isEmpty()) {
                throw new IllegalArgumentException("no face found in the photo: nothing to time");
            }
            CropTransform t = CelebAAlignment.transform(faces.get(0), size);
            float[] input = PhotoWarp.extract(photo.bgr(), t);
            long c2 = cpu.getCurrentThreadCpuTime();
            long t2 = System.nanoTime();
            crops = new PhotoCrops(photo, FACE_PASTE, faces.subList(0, 1), List.of(t), input);
            // The generator's output does not change the cost of pasting: paste the crop itself back.
            crops.pasteBack(input);
            long c3 = cpu.getCurrentThreadCpuTime();
            long t3 = System.nanoTime();
            if (i >= warmup) {
                detect.add((t1 - t0) / 1e6);
                align.add((t2 - t1) / 1e6);
                paste.add((t3 - t2) / 1e6);
                total.add((t3 - t0) / 1e6);
                detectCpu.add((c1 - c0) / 1e6);
                alignCpu.add((c2 - c1) / 1e6);
                pasteCpu.add((c3 - c2) / 1e6);
                totalCpu.add((c3 - c0) / 1e6);
            }
        }
        Core.setNumThreads(threads);
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("width", photo.width());
        r.put("height", photo.height());
        r.put("iterations", iters);
        r.put("detect_ms", median(detect));
        r.put("align_ms", median(align));
        r.put("paste_ms", median(paste));
        r.put("total_ms", median(total));
        total.sort(null);
        r.put("total_ms_p90", round(Percentiles.nearestRank(total, 90)));
        r.put("detect_cpu_ms", median(detectCpu));
        r.put("align_cpu_ms", median(alignCpu));
        r.put("paste_cpu_ms", median(pasteCpu));
        r.put("total_cpu_ms", median(totalCpu));
        totalCpu.sort(null);
        r.put("total_cpu_ms_p90", round(Percentiles.nearestRank(totalCpu, 90)));
        Face face = crops.faces().get(0);
        FaceBox b = face.box();
        r.put("box", List.of(b.x(), b.y(), b.width(), b.height()));
        r.put("eyes_found", face.eyesFound());
        r.put(
                "eyes",
                List.of(
                        round(face.leftEye().x()),
                        round(face.leftEye().y()),
                        round(face.rightEye().x()),
                        round(face.rightEye().y())));
        if (marks.eyes() != null) {
            CropTransform t = CelebAAlignment.transform(face, size);
            double[] e = marks.eyes();
            r.put(
                    "eye_error_px_at_" + size,
                    List.of(
                            round(t.apply(new Face.Point(e[0], e[1])).distance(CelebAAlignment.leftEyeTarget(size))),
                            round(t.apply(new Face.Point(e[2], e[3])).distance(CelebAAlignment.rightEyeTarget(size)))));
            r.put(
                    "eye_error_px_in_photo",
                    List.of(
                            round(face.leftEye().distance(new Face.Point(e[0], e[1]))),
                            round(face.rightEye().distance(new Face.Point(e[2], e[3])))));
        }
        if (marks.face() != null) {
            double[] f = marks.face();
            double ix = Math.max(0, Math.min(b.x() + b.width(), f[2]) - Math.max(b.x(), f[0]));
            double iy = Math.max(0, Math.min(b.y() + b.height(), f[3]) - Math.max(b.y(), f[1]));
            double marked = (f[2] - f[0]) * (f[3] - f[1]);
            r.put("box_iou", round(ix * iy / ((double) b.width() * b.height() + marked - ix * iy)));
            r.put(
                    "box_centre_error_px",
                    round(Math.hypot(
                            b.x() + b.width() / 2.0 - (f[0] + f[2]) / 2,
                            b.y() + b.height() / 2.0 - (f[1] + f[3]) / 2)));
        }
        return r;
    }

    private static double median(List<Double> v) {
        List<Double> s = new ArrayList<>(v);
        s.sort(null);
        return round(s.get(s.size() / 2));
    }

    private static double round(double v) {
        return Math.round(v * 100) / 100.0;
    }
}
