package org.stargan.eval;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.function.IntConsumer;
import org.stargan.data.CelebAImages;
import org.stargan.data.ImageCodec;
import org.stargan.data.LabeledImages;
import org.stargan.data.SyntheticDataset;
import org.stargan.data.SyntheticFaces;
import org.stargan.infer.Translator;
import org.stargan.msg.DomainLabels;

/**
 * Measures a generator on a test split: every image is translated into every single-domain target (the official
 * test columns) and judged by an {@link AttributeClassifier} (is the target domain what the classifier sees?), by
 * reconstruction (translate back with the original labels, mean L1), and, for synthetic data, against the true
 * rendering of the same face in the target domain (mean L1 and PSNR; the untranslated input's L1 to that truth is
 * the baseline a useful translation must beat). The L1 to the truth is also split by region: the pixels the domain
 * change alters (where the truth differs from the input) and the pixels it leaves alone, where any error is the
 * generator failing to copy its input; it says which of the two a better generator has to fix.
 */
public final class TranslationEvaluation {
    /**
     * A pixel counts as changed by the target domain when some channel of the truth differs from the input by more
     * than half an 8-bit level (on the [−1, 1] scale one level is 1/127.5): untouched pixels of a rendering are equal
     * to the input's exactly, so this only keeps rounding in a resize from counting as change.
     */
    static final double CHANGED_PIXEL_THRESHOLD = 0.5 / 127.5;

    private TranslationEvaluation() {}

    /**
     * The report as an ordered map, ready for JSON.
     *
     * @param synthetic the directory written by {@code stargan synth}, or null for real data (no ground truth)
     */
    public static Map<String, Object> run(
            Translator g,
            AttributeClassifier judge,
            LabeledImages test,
            Path synthetic,
            int limit,
            IntConsumer progress)
            throws IOException {
        DomainLabels domains = DomainLabels.withOfficialGroups(test.domains(), test.singleLabel());
        if (!judge.domains().equals(test.domains())) {
            throw new IllegalArgumentException(
                    "classifier domains " + judge.domains() + " differ from the data's " + test.domains());
        }
        if (g.cDim() != test.domains().size()) {
            throw new IllegalArgumentException("generator c_dim " + g.cDim() + " differs from the data's "
                    + test.domains().size() + " domains");
        }
        int n = Math.min(limit, test.size());
        int s = test.imageSize();
        int plane = 3 * s * s;
        int d = domains.size();
        Properties manifest = synthetic == null ? null : SyntheticDataset.manifest(synthetic);
        long seed = manifest == null ? 0 : Long.parseLong(manifest.getProperty("seed"));
        int renderSize = manifest == null ? 0 : Integer.parseInt(manifest.getProperty("size"));

        long[] realCorrect = new long[d];
        long[] targetCorrect = new long[d];
        double recL1 = 0;
        double[] truthL1 = new double[d];
        double[] truthPsnr = new double[d];
        double[] inputL1 = new double[d];
        RegionSums regions = new RegionSums(d, (double) n * s * s);
        int batch = 32;
        for (int start = 0; start < n; start += batch) {
            int b = Math.min(batch, n - start);
            float[] x = new float[b * plane];
            float[][] labels = new float[b][];
            for (int i = 0; i < b; i++) {
                System.arraycopy(test.load(start + i).chw(), 0, x, i * plane, plane);
                labels[i] = test.label(start + i);
            }
            float[][] real = judge.predict(x, b);
            for (int i = 0; i < b; i++) {
                for (int k = 0; k < d; k++) {
                    realCorrect[k] += real[i][k] == labels[i][k] ? 1 : 0;
                }
            }
            for (int k = 0; k < d; k++) {
                float[] c = new float[b * d];
                float[] cOrg = new float[b * d];
                float[][] targets = new float[b][];
                for (int i = 0; i < b; i++) {
                    targets[i] = domains.allDomainTargets(labels[i]).get(k);
                    System.arraycopy(targets[i], 0, c, i * d, d);
                    System.arraycopy(labels[i], 0, cOrg, i * d, d);
                }
                float[] fake = g.translate(x, b, s, s, c);
                float[][] seen = judge.predict(fake, b);
                float[] rec = g.translate(fake, b, s, s, cOrg);
                for (int i = 0; i < b; i++) {
                    targetCorrect[k] += seen[i][k] == targets[i][k] ? 1 : 0;
                    recL1 += l1(x, rec, i * plane, plane);
                    if (manifest != null) {
                        float[] truth = groundTruth(test, start + i, targets[i], seed, renderSize, s);
                        truthL1[k] += l1(truth, fake, i * plane, plane, 0);
                        truthPsnr[k] += psnr(truth, fake, i * plane, plane);
                        inputL1[k] += l1(truth, x, i * plane, plane, 0);
                        regions.add(k, truth, x, fake, i * plane, s * s);
                    }
                }
            }
            progress.accept(start + b);
        }
        Map<String, Object> report = new LinkedHashMap<>();
        report.put("test_images", n);
        report.put("domains", domains.names());
        report.put("classifier_accuracy_on_real", perDomain(domains.names(), realCorrect, n));
        report.put("target_domain_accuracy", perDomain(domains.names(), targetCorrect, n));
        report.put("reconstruction_l1", recL1 / ((double) n * d));
        if (manifest != null) {
            report.put("ground_truth_l1", perDomainMean(domains.names(), truthL1, n));
            report.put("ground_truth_psnr_db", perDomainMean(domains.names(), truthPsnr, n));
            report.put("untranslated_input_l1_to_ground_truth", perDomainMean(domains.names(), inputL1, n));
            report.put("changed_pixel_share", perDomainRatio(domains.names(), regions.changedPixels, regions.pixels()));
            report.put(
                    "ground_truth_l1_on_changed_pixels",
                    perDomainRatio(domains.names(), regions.fakeOnChanged, regions.changedPixels));
            report.put(
                    "untranslated_input_l1_on_changed_pixels",
                    perDomainRatio(domains.names(), regions.inputOnChanged, regions.changedPixels));
            report.put(
                    "ground_truth_l1_on_unchanged_pixels",
                    perDomainRatio(domains.names(), regions.fakeOnUnchanged, regions.unchangedPixels()));
        }
        return report;
    }

    /** The true rendering of test image {@code index} with the selected domains set to {@code target}. */
    private static float[] groundTruth(
            LabeledImages test, int index, float[] target, long seed, int renderSize, int size) {
        if (!(test instanceof CelebAImages celeba)) {
            throw new IllegalArgumentException("ground truth needs the synthetic CelebA-style set");
        }
        String file = celeba.file(index);
        int imageIndex = Integer.parseInt(file.substring(0, file.indexOf('.'))) - 1;
        SyntheticFaces.Attributes a = SyntheticDataset.attributes(seed, imageIndex);
        float[] all = a.celebaLabels();
        List<String> names = test.domains();
        for (int k = 0; k < names.size(); k++) {
            int at = SyntheticFaces.ATTRIBUTES.indexOf(names.get(k));
            if (at < 0) {
                throw new IllegalArgumentException("no ground truth for attribute '" + names.get(k)
                        + "'; synthetic faces render " + SyntheticFaces.ATTRIBUTES);
            }
            all[at] = target[k];
        }
        var img = SyntheticFaces.render(
                SyntheticDataset.contentSeed(seed, imageIndex), a.withCelebaLabels(all), renderSize);
        return ImageCodec.toTensor(img, renderSize, size).chw();
    }

    /**
     * Per target domain: how many of its pixels (every test image's, the same count for each domain) the change
     * alters, and the L1 (mean over a pixel's channels) of the translation and of the input to the truth on the
     * altered pixels and on the rest.
     */
    private static final class RegionSums {
        final double pixelsPerDomain;
        final double[] changedPixels;
        final double[] fakeOnChanged;
        final double[] inputOnChanged;
        final double[] fakeOnUnchanged;

        RegionSums(int domains, double pixelsPerDomain) {
            this.pixelsPerDomain = pixelsPerDomain;
            changedPixels = new double[domains];
            fakeOnChanged = new double[domains];
            inputOnChanged = new double[domains];
            fakeOnUnchanged = new double[domains];
        }

        /** Adds one image: {@code truth} is CHW from 0; {@code x} and {@code fake} hold it at {@code offset}. */
        void add(int k, float[] truth, float[] x, float[] fake, int offset, int area) {
            for (int p = 0; p < area; p++) {
                boolean changed = false;
                double fakeErr = 0;
                double inputErr = 0;
                for (int ch = 0; ch < 3; ch++) {
                    float t = truth[ch * area + p];
                    double in = Math.abs(t - x[offset + ch * area + p]);
                    changed |= in > CHANGED_PIXEL_THRESHOLD;
                    inputErr += in;
                    fakeErr += Math.abs(t - fake[offset + ch * area + p]);
                }
                if (changed) {
                    changedPixels[k]++;
                    fakeOnChanged[k] += fakeErr / 3;
                    inputOnChanged[k] += inputErr / 3;
                } else {
                    fakeOnUnchanged[k] += fakeErr / 3;
                }
            }
        }

        double[] pixels() {
            double[] all = new double[changedPixels.length];
            Arrays.fill(all, pixelsPerDomain);
            return all;
        }

        double[] unchangedPixels() {
            double[] u = new double[changedPixels.length];
            for (int k = 0; k < u.length; k++) {
                u[k] = pixelsPerDomain - changedPixels[k];
            }
            return u;
        }
    }

    private static double l1(float[] a, float[] b, int offset, int len) {
        return l1(a, b, offset, len, offset);
    }

    private static double l1(float[] a, float[] b, int bOffset, int len, int aOffset) {
        double sum = 0;
        for (int i = 0; i < len; i++) {
            sum += Math.abs(a[aOffset + i] - b[bOffset + i]);
        }
        return sum / len;
    }

    private static double psnr(float[] truth, float[] b, int offset, int len) {
        double mse = 0;
        for (int i = 0; i < len; i++) {
            double diff = (truth[i] - b[offset + i]) / 2.0; // [−1, 1] → [0, 1] scale
            mse += diff * diff;
        }
        mse /= len;
        return 10 * Math.log10(1 / Math.max(mse, 1e-10));
    }

    private static Map<String, Object> perDomain(List<String> names, long[] correct, int n) {
        Map<String, Object> m = new LinkedHashMap<>();
        long total = 0;
        for (long c : correct) {
            total += c;
        }
        m.put("overall", (double) total / ((double) n * names.size()));
        for (int k = 0; k < names.size(); k++) {
            m.put(names.get(k), (double) correct[k] / n);
        }
        return m;
    }

    /** Per domain and pooled over all domains: sums / counts; null (no value) where nothing was counted, not 0. */
    static Map<String, Object> perDomainRatio(List<String> names, double[] sums, double[] counts) {
        Map<String, Object> m = new LinkedHashMap<>();
        double sum = 0;
        double count = 0;
        for (int k = 0; k < names.size(); k++) {
            sum += sums[k];
            count += counts[k];
        }
        m.put("overall", count == 0 ? null : sum / count);
        for (int k = 0; k < names.size(); k++) {
            m.put(names.get(k), counts[k] == 0 ? null : sums[k] / counts[k]);
        }
        return m;
    }

    private static Map<String, Object> perDomainMean(List<String> names, double[] sums, int n) {
        Map<String, Object> m = new LinkedHashMap<>();
        double total = 0;
        for (double s : sums) {
            total += s;
        }
        m.put("overall", total / ((double) n * names.size()));
        for (int k = 0; k < names.size(); k++) {
            m.put(names.get(k), sums[k] / n);
        }
        return m;
    }
}
