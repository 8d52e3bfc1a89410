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
 * Groups queued requests into batches: requests for the same model version and image size run together, up to
 * {@code maxBatch}. Batches run one at a time on the compute executor (one per device). When the device is idle a
 * request runs at once, or with {@code maxDelay} > 0 waits up to that long for company (worth it where a batch costs
 * little more than one request, as on a GPU); while a batch computes, the next one grows until the device is free or
 * it is full, so under load batches are as large as what arrived during one computation. (Sealing a forming batch at
 * {@code maxDelay} while the device was busy, as this once did, could not run it sooner: it queued small batches
 * behind the running one, about 2.5 requests each with 32 requests waiting at 48 px.)
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
        if (group.size() >= maxBatch || (inFlight == 0 && maxDelayNanos == 0)) {
            flush(key);
        } else if (inFlight == 0 && group.size() == 1) {
            // An idle device waits this long for company; a busy one runs the group when it frees up (finished).
            deadlines.put(key, timer.schedule(() -> flushIfIdle(key), maxDelayNanos, TimeUnit.NANOSECONDS));
        }
    }

    /** A batch finished: the device is free, so the oldest waiting group goes now. */
    private synchronized void finished() {
        inFlight--;
        if (inFlight == 0 && !arrivalOrder.isEmpty()) {
            flush(arrivalOrder.peek());
        }
    }

    /**
     * An idle device's wait for company is over: the group runs, unless another has taken the device meanwhile (it
     * then runs when that one finishes).
     */
    private synchronized void flushIfIdle(Key key) {
        if (groups.containsKey(key) && inFlight == 0) {
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
