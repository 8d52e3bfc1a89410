package org.stargan.inference;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.Device;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.stargan.infer.Precision;

/**
 * Versions announced one after another (as a trainer announces checkpoints) do not pile up on the device: the newest
 * {@code keepVersions} per model stay, pinned ones stay, the rest are freed — but never under a request that holds them.
 */
class ModelRegistryTest {
    @TempDir
    Path tmp;

    private final ExecutorService compute = Executors.newSingleThreadExecutor();
    private final AtomicInteger evictions = new AtomicInteger();
    private final List<String> failures = new ArrayList<>();

    @AfterEach
    void stop() throws Exception {
        compute.shutdown();
        compute.awaitTermination(30, TimeUnit.SECONDS);
    }

    private ModelRegistry registry(int keep, Set<String> pinned) {
        return new ModelRegistry(
                compute,
                new ModelRegistry.Settings(Device.cpu(), 2, Precision.FP32, keep, pinned),
                (version, reason) -> failures.add(version + ": " + reason),
                evictions::incrementAndGet);
    }

    private Path checkpoint() throws Exception {
        Path ckpt = tmp.resolve("G.ckpt");
        if (!Files.exists(ckpt)) {
            try (var in = getClass().getResourceAsStream("/parity/tiny-G.zip.ckpt")) {
                Files.copy(in, ckpt);
            }
        }
        return ckpt;
    }

    private LoadedModel load(ModelRegistry r, String name, String version) throws Exception {
        return r.load(name, version, checkpoint()).get(60, TimeUnit.SECONDS);
    }

    /** Waits for the compute thread to run what was queued before (frees run there). */
    private void drain() throws Exception {
        compute.submit(() -> {}).get(30, TimeUnit.SECONDS);
    }

    @Test
    void theNewestVersionsAndThePinnedOnesStayAndTheRestAreFreed() throws Exception {
        try (ModelRegistry r = registry(2, Set.of("m:v1"))) {
            List<LoadedModel> loaded = new ArrayList<>();
            for (int i = 1; i <= 5; i++) {
                loaded.add(load(r, "m", "v" + i));
            }
            LoadedModel other = load(r, "other", "only");
            drain();
            assertThat(r.versions().get("m").keySet()).containsExactlyInAnyOrder("v1", "v4", "v5");
            assertThat(r.versions().get("other").keySet()).containsExactly("only");
            assertThat(r.resolve("m", null).version()).isEqualTo("v5");
            assertThat(r.resolve("m", "v2"))
                    .as("an evicted version is not served")
                    .isNull();
            assertThat(loaded.get(1).isClosed()).as("v2 freed").isTrue();
            assertThat(loaded.get(2).isClosed()).as("v3 freed").isTrue();
            assertThat(loaded.get(0).isClosed()).as("v1 pinned").isFalse();
            assertThat(loaded.get(3).isClosed()).isFalse();
            assertThat(loaded.get(4).isClosed()).isFalse();
            assertThat(other.isClosed()).isFalse();
            assertThat(evictions).hasValue(2);
            assertThat(failures).isEmpty();
            // The survivors still translate.
            float[] out = loaded.get(0).translator().translate(new float[3 * 16 * 16], 1, 16, 16, new float[3]);
            assertThat(out).hasSize(3 * 16 * 16);
        }
    }

    @Test
    void aVersionHeldByARequestIsFreedOnlyWhenTheRequestLetsGo() throws Exception {
        try (ModelRegistry r = registry(1, Set.of())) {
            load(r, "m", "v1");
            LoadedModel held = r.acquire("m", "v1");
            assertThat(held).isNotNull();
            load(r, "m", "v2");
            drain();
            assertThat(r.resolve("m", "v1")).as("no longer served").isNull();
            assertThat(r.acquire("m", "v1")).as("no new holder").isNull();
            assertThat(held.isClosed()).as("still computing for its request").isFalse();
            float[] out = held.translator().translate(new float[3 * 16 * 16], 1, 16, 16, new float[3]);
            assertThat(out).hasSize(3 * 16 * 16);
            held.release();
            drain();
            assertThat(held.isClosed()).isTrue();
            assertThat(r.acquire("m", null).version()).isEqualTo("v2");
        }
    }
}
