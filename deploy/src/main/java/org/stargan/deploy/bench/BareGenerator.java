package org.stargan.deploy.bench;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.stargan.ckpt.GeneratorCheckpoint;
import org.stargan.data.ImageCodec;
import org.stargan.infer.Translator;
import org.stargan.inference.LoadedModel;
import org.stargan.msg.DomainLabels;

/**
 * The ceiling the services are measured against: the generator alone, on the request's image prepared as the worker
 * prepares it (centre crop, resize to the model's size) and the request's target, in batches of the worker's largest
 * batch. No decoding, encoding or messaging is timed.
 */
final class BareGenerator {
    /**
     * @param imageSize the side the image was resized to
     * @param batch images per timed call
     * @param msPerBatch median time of one batch
     */
    record Result(int imageSize, int batch, double msPerBatch) {
        /** {@code batch / msPerBatch}, per second. */
        double imagesPerSecond() {
            return batch / (msPerBatch / 1000);
        }
    }

    private BareGenerator() {}

    /** Times batches for about {@code seconds} (at least 3, after one untimed) and returns the median. */
    static Result measure(
            Path model, byte[] image, String target, int batch, String device, double seconds, PrintStream progress)
            throws IOException {
        GeneratorCheckpoint ckpt = GeneratorCheckpoint.load(model);
        try (Translator t = new Translator(ckpt, org.stargan.device.Devices.parse(device), batch)) {
            // The worker's view of the model: the same domains and image size as served requests get.
            LoadedModel served = LoadedModel.of("bench", "bare", ckpt, t);
            int size = served.imageSize();
            DomainLabels domains = served.domains();
            float[] one = ImageCodec.toTensor(ImageCodec.decode(image, "--image"), 0, size)
                    .chw();
            float[] label = domains.applyTargets(target, new float[domains.size()], "--target");
            float[] xs = new float[batch * one.length];
            float[] cs = new float[batch * label.length];
            for (int i = 0; i < batch; i++) {
                System.arraycopy(one, 0, xs, i * one.length, one.length);
                System.arraycopy(label, 0, cs, i * label.length, label.length);
            }
            t.translate(xs, batch, size, size, cs);
            List<Double> ms = new ArrayList<>();
            long start = System.nanoTime();
            long lastReport = start;
            while (ms.size() < 3 || System.nanoTime() - start < seconds * 1e9) {
                long t0 = System.nanoTime();
                t.translate(xs, batch, size, size, cs);
                ms.add((System.nanoTime() - t0) / 1e6);
                if (System.nanoTime() - lastReport > 1_000_000_000L) {
                    lastReport = System.nanoTime();
                    progress.printf("bare generator: %d batches of %d%n", ms.size(), batch);
                }
            }
            Collections.sort(ms);
            double median = LoadStats.percentile(ms, 50);
            return new Result(size, batch, median);
        }
    }
}
