package org.stargan.inference;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.IntConsumer;

/**
 * Groups queued requests into batches: requests for the same model version and image size run together, a group runs
 * at once when it reaches {@code maxBatch}, and none waits longer than {@code maxDelay}. When the device is idle a
 * request runs immediately (waiting for company it may never get would only add latency at low load); while a batch
 * computes, the next one forms, and it is dispatched as soon as the device frees up. Batches run one at a time on the
 * compute executor (one per device), so under load batches are as large as what arrives during one computation.
 */
public final class DynamicBatcher {
    private record Key(LoadedModel model, int size) {}

    private final int maxBatch;
    private final long maxDelayNanos;
    private final ExecutorService compute;
    private final ScheduledExecutorService timer;
    private final IntConsumer onBatch;
    private final Map<Key, List<TranslateJob>> groups = new HashMap<>();
    private final Map<Key, ScheduledFuture<?>> deadlines = new HashMap<>();
    private final java.util.ArrayDeque<Key> arrivalOrder = new java.util.ArrayDeque<>();
    private int inFlight;

    /**
     * @param onBatch told each batch's size (metrics)
     */
    public DynamicBatcher(
            int maxBatch,
            long maxDelayMillis,
            ExecutorService compute,
            ScheduledExecutorService timer,
            IntConsumer onBatch) {
        if (maxBatch < 1 || maxDelayMillis < 0) {
            throw new IllegalArgumentException(
                    "maxBatch " + maxBatch + " (≥ 1) / maxDelayMillis " + maxDelayMillis + " (≥ 0)");
        }
        this.maxBatch = maxBatch;
        this.maxDelayNanos = TimeUnit.MILLISECONDS.toNanos(maxDelayMillis);
        this.compute = compute;
        this.timer = timer;
        this.onBatch = onBatch;
    }

    /** Queues a job; it completes when its batch has run. */
    public synchronized void add(TranslateJob job) {
        Key key = new Key(job.model(), job.model().imageSize());
        List<TranslateJob> group = groups.computeIfAbsent(key, k -> new ArrayList<>());
        group.add(job);
        if (group.size() == 1) {
            arrivalOrder.add(key);
        }
        if (group.size() >= maxBatch || inFlight == 0) {
            flush(key);
        } else if (group.size() == 1) {
            deadlines.put(key, timer.schedule(() -> flushIfDue(key), maxDelayNanos, TimeUnit.NANOSECONDS));
        }
    }

    /** A batch finished: the device is free, so the oldest waiting group goes now rather than at its deadline. */
    private synchronized void finished() {
        inFlight--;
        if (inFlight == 0 && !arrivalOrder.isEmpty()) {
            flush(arrivalOrder.peek());
        }
    }

    private synchronized void flushIfDue(Key key) {
        if (groups.containsKey(key)) {
            flush(key);
        }
    }

    private void flush(Key key) {
        List<TranslateJob> batch = groups.remove(key);
        arrivalOrder.remove(key);
        ScheduledFuture<?> deadline = deadlines.remove(key);
        if (deadline != null) {
            deadline.cancel(false);
        }
        if (batch == null || batch.isEmpty()) {
            return;
        }
        inFlight++;
        compute.execute(() -> {
            try {
                run(key.model(), batch);
            } finally {
                finished();
            }
        });
    }

    private void run(LoadedModel model, List<TranslateJob> batch) {
        long start = System.nanoTime();
        int n = batch.size();
        int s = model.imageSize();
        int plane = 3 * s * s;
        int c = model.domains().size();
        float[] images = new float[n * plane];
        float[] labels = new float[n * c];
        for (int i = 0; i < n; i++) {
            System.arraycopy(batch.get(i).image(), 0, images, i * plane, plane);
            System.arraycopy(batch.get(i).labels(), 0, labels, i * c, c);
        }
        try {
            onBatch.accept(n);
            float[] out = model.translator().translate(images, n, s, s, labels);
            double computeMs = (System.nanoTime() - start) / 1e6;
            for (int i = 0; i < n; i++) {
                float[] one = new float[plane];
                System.arraycopy(out, i * plane, one, 0, plane);
                TranslateJob j = batch.get(i);
                j.output().complete(new TranslateJob.Output(one, (start - j.enqueuedNanos()) / 1e6, computeMs, n));
            }
        } catch (RuntimeException | Error e) {
            for (TranslateJob j : batch) {
                j.output().completeExceptionally(e);
            }
        }
    }
}
