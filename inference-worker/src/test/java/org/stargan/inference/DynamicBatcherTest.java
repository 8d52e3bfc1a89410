package org.stargan.inference;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.Device;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.stargan.infer.Precision;

/**
 * How requests become batches, on a real (tiny) generator: a busy device's next batch grows until the device is free
 * or the batch is full, whatever {@code maxDelay}; an idle device runs a request at once, or waits up to
 * {@code maxDelay} for company.
 */
class DynamicBatcherTest {
    @TempDir
    Path tmp;

    private final ExecutorService compute = Executors.newSingleThreadExecutor();
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();
    private final List<Integer> batches = new ArrayList<>();
    private ModelRegistry registry;
    private LoadedModel model;

    @BeforeEach
    void load() throws Exception {
        Path ckpt = tmp.resolve("G.ckpt");
        try (var in = getClass().getResourceAsStream("/parity/tiny-G.zip.ckpt")) {
            Files.copy(in, ckpt);
        }
        registry = new ModelRegistry(
                compute,
                new ModelRegistry.Settings(Device.cpu(), 8, Precision.FP32, 1, Set.of()),
                (version, reason) -> {
                    throw new AssertionError(reason);
                },
                () -> {});
        model = registry.load("m", "v1", ckpt).get(60, TimeUnit.SECONDS);
    }

    @AfterEach
    void stop() throws Exception {
        registry.close();
        compute.shutdown();
        compute.awaitTermination(30, TimeUnit.SECONDS);
        timer.shutdownNow();
    }

    private DynamicBatcher batcher(int maxBatch, long maxDelayMillis) {
        return new DynamicBatcher(maxBatch, maxDelayMillis, compute, timer, n -> {
            synchronized (batches) {
                batches.add(n);
            }
        });
    }

    private TranslateJob job() {
        int s = model.imageSize();
        return new TranslateJob(
                null,
                model,
                new float[3 * s * s],
                new float[model.domains().size()],
                System.nanoTime(),
                new CompletableFuture<>());
    }

    /** Holds the compute thread until the latch opens: the device is busy with something else. */
    private CountDownLatch occupyDevice() {
        CountDownLatch release = new CountDownLatch(1);
        compute.execute(() -> {
            try {
                release.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        return release;
    }

    private static void await(List<TranslateJob> jobs) throws Exception {
        for (TranslateJob j : jobs) {
            j.output().get(60, TimeUnit.SECONDS);
        }
    }

    @Test
    void whileABatchComputesTheNextGrowsPastMaxDelayUntilTheDeviceIsFree() throws Exception {
        DynamicBatcher b = batcher(8, 5);
        CountDownLatch release = occupyDevice();
        TranslateJob first = job();
        b.add(first);
        // Idle to the batcher, the device gets it after its wait for company (queued behind the occupying task).
        Thread.sleep(20);
        List<TranslateJob> next = new ArrayList<>();
        next.add(job());
        b.add(next.get(0));
        // Four times maxDelay later, four more: a batch sealed at maxDelay would hold the first of them alone.
        Thread.sleep(20);
        for (int i = 0; i < 4; i++) {
            next.add(job());
            b.add(next.get(next.size() - 1));
        }
        Thread.sleep(20);
        release.countDown();
        await(List.of(first));
        await(next);
        assertThat(batches).containsExactly(1, 5);
        assertThat(next.get(4).output().get().batchSize()).isEqualTo(5);
    }

    @Test
    void aFullBatchIsQueuedAtOnceAndTheRestWaitForTheDevice() throws Exception {
        DynamicBatcher b = batcher(3, 0);
        CountDownLatch release = occupyDevice();
        List<TranslateJob> jobs = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            jobs.add(job());
            b.add(jobs.get(i));
        }
        release.countDown();
        await(jobs);
        // The first alone (the device was idle to the batcher), the next three as soon as they were three, the last two
        // when the device was free.
        assertThat(batches).containsExactly(1, 3, 2);
    }

    @Test
    void anIdleDeviceRunsARequestAtOnceWithoutMaxDelay() throws Exception {
        DynamicBatcher b = batcher(8, 0);
        TranslateJob alone = job();
        b.add(alone);
        await(List.of(alone));
        assertThat(batches).containsExactly(1);
    }

    @Test
    void anIdleDeviceWaitsUpToMaxDelayForCompany() throws Exception {
        DynamicBatcher b = batcher(8, 2_000);
        TranslateJob first = job();
        TranslateJob second = job();
        b.add(first);
        Thread.sleep(50);
        assertThat(first.output()).as("waiting for company").isNotDone();
        b.add(second);
        await(List.of(first, second));
        assertThat(batches).containsExactly(2);

        // Alone, it runs when the wait is over.
        TranslateJob third = job();
        long start = System.nanoTime();
        b = batcher(8, 100);
        b.add(third);
        await(List.of(third));
        assertThat((System.nanoTime() - start) / 1e6).as("ms").isGreaterThanOrEqualTo(100);
        assertThat(batches).containsExactly(2, 1);
    }
}
