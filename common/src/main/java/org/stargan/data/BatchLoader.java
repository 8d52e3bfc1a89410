package org.stargan.data;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Training batches as a pure function of (seed, iteration): sample k of iteration i is entry (i·B + k) mod N of
 * the epoch's seeded permutation, flipped horizontally when its own seeded coin says so. A resumed run therefore sees
 * exactly the batches the uninterrupted one would. Batches are decoded ahead by worker threads into a bounded queue;
 * decoded images are cached while they fit the memory budget.
 */
public final class BatchLoader implements AutoCloseable {
    /** One batch: (B, 3, S, S) floats and B label rows. */
    public record Batch(long iteration, float[] images, float[][] labels, int size) {}

    private final LabeledImages data;
    private final int batchSize;
    private final long seed;
    private final boolean flip;
    private final int prefetch;
    private final ExecutorService workers;
    private final Deque<CompletableFuture<Batch>> ahead = new ArrayDeque<>();
    private final ConcurrentHashMap<Integer, float[]> cache = new ConcurrentHashMap<>();
    private final long cacheLimitImages;
    private final AtomicLong cached = new AtomicLong();
    private final Object permutationLock = new Object();
    private volatile EpochOrder order = new EpochOrder(-1, new int[0]);
    private long nextToSchedule;

    /**
     * @param data the split to draw from
     * @param batchSize images per batch
     * @param seed order and flips
     * @param flip random horizontal flips (training)
     * @param threads decoding threads
     * @param prefetch batches decoded ahead
     * @param cacheBytes memory for decoded images
     */
    public BatchLoader(
            LabeledImages data, int batchSize, long seed, boolean flip, int threads, int prefetch, long cacheBytes) {
        if (batchSize < 1 || threads < 1 || prefetch < 1) {
            throw new IllegalArgumentException(
                    "batchSize/threads/prefetch must be ≥ 1: " + batchSize + "/" + threads + "/" + prefetch);
        }
        this.data = data;
        this.batchSize = batchSize;
        this.seed = seed;
        this.flip = flip;
        this.prefetch = prefetch;
        long perImage = 3L * data.imageSize() * data.imageSize() * 4;
        this.cacheLimitImages = cacheBytes / perImage;
        this.workers = Executors.newFixedThreadPool(threads, r -> {
            Thread t = new Thread(r, "batch-loader");
            t.setDaemon(true);
            return t;
        });
    }

    /** Positions the loader so that {@link #next()} returns the batch of {@code iteration}. */
    public synchronized void seek(long iteration) {
        ahead.forEach(f -> f.cancel(false));
        ahead.clear();
        nextToSchedule = iteration;
    }

    /** The next batch in iteration order (decoded ahead on worker threads). */
    public synchronized Batch next() throws IOException {
        while (ahead.size() < prefetch) {
            long it = nextToSchedule++;
            ahead.add(CompletableFuture.supplyAsync(() -> batchAt(it), workers));
        }
        try {
            return ahead.poll().get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while loading a batch", e);
        } catch (ExecutionException e) {
            Throwable c = e.getCause();
            if (c instanceof UncheckedIOException u) {
                throw u.getCause();
            }
            if (c instanceof RuntimeException r) {
                throw r;
            }
            throw new IOException(c);
        }
    }

    /** The batch of {@code iteration}, decoded on the calling thread. */
    public Batch batchAt(long iteration) {
        int s = data.imageSize();
        int plane = 3 * s * s;
        float[] images = new float[batchSize * plane];
        float[][] labels = new float[batchSize][];
        int n = data.size();
        for (int k = 0; k < batchSize; k++) {
            long sample = iteration * batchSize + k;
            int index = permutation(sample / n)[(int) (sample % n)];
            float[] img = image(index);
            boolean mirror = flip && (new SplittableRandom(seed ^ (sample * 0x9E3779B97F4A7C15L)).nextInt(2) == 1);
            if (mirror) {
                for (int c = 0; c < 3; c++) {
                    for (int y = 0; y < s; y++) {
                        for (int x = 0; x < s; x++) {
                            images[k * plane + (c * s + y) * s + x] = img[(c * s + y) * s + (s - 1 - x)];
                        }
                    }
                }
            } else {
                System.arraycopy(img, 0, images, k * plane, plane);
            }
            labels[k] = data.label(index);
        }
        return new Batch(iteration, images, labels, s);
    }

    private float[] image(int index) {
        float[] hit = cache.get(index);
        if (hit != null) {
            return hit;
        }
        try {
            float[] img = data.load(index).chw();
            if (cached.get() < cacheLimitImages && cache.putIfAbsent(index, img) == null) {
                cached.incrementAndGet();
            }
            return img;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** One epoch's sample order; replaced as a whole so readers never see an epoch with another's order. */
    private record EpochOrder(long epoch, int[] permutation) {}

    private int[] permutation(long epoch) {
        EpochOrder current = order;
        if (current.epoch() == epoch) {
            return current.permutation();
        }
        // A separate lock: next() holds the loader's monitor while it waits for workers that come through here.
        synchronized (permutationLock) {
            if (order.epoch() != epoch) {
                int n = data.size();
                int[] perm = new int[n];
                for (int i = 0; i < n; i++) {
                    perm[i] = i;
                }
                SplittableRandom r = new SplittableRandom(seed + 0x2545F4914F6CDD1DL * (epoch + 1));
                for (int i = n - 1; i > 0; i--) {
                    int j = r.nextInt(i + 1);
                    int t = perm[i];
                    perm[i] = perm[j];
                    perm[j] = t;
                }
                order = new EpochOrder(epoch, perm);
            }
            return order.permutation();
        }
    }

    @Override
    public void close() {
        workers.shutdownNow();
    }
}
