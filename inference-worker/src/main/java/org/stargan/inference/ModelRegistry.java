package org.stargan.inference;

import ai.djl.Device;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BiConsumer;
import org.stargan.ckpt.GeneratorCheckpoint;
import org.stargan.infer.Precision;
import org.stargan.infer.Translator;

/**
 * The model versions this worker serves. A new version is loaded in the background and becomes the latest
 * atomically once ready; requests may pin any loaded version; a version that fails to load leaves the others
 * serving and the failure is reported. Loading runs on the compute executor, so it never races a batch for the device.
 *
 * <p>Every announced checkpoint would otherwise stay on the device for good (a trainer announces one every few
 * thousand iterations): per model the newest {@code keepVersions} loaded versions stay, plus the pinned ones; older
 * ones are evicted as a newer one loads, and their weights are freed once the requests holding them finish.
 */
public final class ModelRegistry implements AutoCloseable {
    /**
     * How versions are loaded and kept.
     *
     * @param device where the weights live
     * @param batchSize the largest batch a translator computes
     * @param precision the element type weights are converted to at load
     * @param keepVersions newest versions kept per model (pinned ones come on top)
     * @param pinned {@code name:version} entries never evicted
     */
    public record Settings(Device device, int batchSize, Precision precision, int keepVersions, Set<String> pinned) {
        /** Validates, naming the field at fault. */
        public Settings {
            if (batchSize < 1) {
                throw new IllegalArgumentException("batchSize: " + batchSize + ", expected ≥ 1");
            }
            if (keepVersions < 1) {
                throw new IllegalArgumentException("keepVersions: " + keepVersions + ", expected ≥ 1");
            }
            pinned = Set.copyOf(pinned);
        }
    }

    private final Map<String, Map<String, LoadedModel>> versions = new ConcurrentHashMap<>();
    private final Map<String, LoadedModel> latest = new ConcurrentHashMap<>();
    private final Map<LoadedModel, Long> loadOrder = new ConcurrentHashMap<>();
    /** Evicted versions whose weights a request still holds. */
    private final Set<LoadedModel> retired = ConcurrentHashMap.newKeySet();

    private final Map<String, CompletableFuture<LoadedModel>> loading = new ConcurrentHashMap<>();
    private final AtomicLong loads = new AtomicLong();
    private final ExecutorService compute;
    private final Settings settings;
    private final BiConsumer<String, String> onFailure;
    private final Runnable onEvicted;

    /**
     * @param compute the worker's single compute thread
     * @param onFailure receives (name:version, reason) when a version cannot be loaded
     * @param onEvicted told of each evicted version (metrics)
     */
    public ModelRegistry(
            ExecutorService compute, Settings settings, BiConsumer<String, String> onFailure, Runnable onEvicted) {
        this.compute = compute;
        this.settings = settings;
        this.onFailure = onFailure;
        this.onEvicted = onEvicted;
    }

    /** Loads {@code version} of {@code name} from {@code checkpoint}; completes with it, or exceptionally with the reason. */
    public CompletableFuture<LoadedModel> load(String name, String version, Path checkpoint) {
        return load(name, version, checkpoint, List.of(), 0);
    }

    /**
     * Loads a version with what its announcement says the checkpoint does not ({@code domains}, {@code imageSize}; see
     * {@link LoadedModel#of(String, String, GeneratorCheckpoint, Translator, List, int)}).
     */
    public CompletableFuture<LoadedModel> load(
            String name, String version, Path checkpoint, List<String> domains, int imageSize) {
        LoadedModel existing = find(name, version);
        if (existing != null) {
            return CompletableFuture.completedFuture(existing);
        }
        // One load per version, however often it is announced while loading.
        String key = name + "\u0000" + version;
        CompletableFuture<LoadedModel> pending = loading.get(key);
        if (pending != null) {
            return pending;
        }
        CompletableFuture<LoadedModel> load = CompletableFuture.supplyAsync(
                () -> {
                    try {
                        GeneratorCheckpoint ckpt = GeneratorCheckpoint.load(checkpoint);
                        Translator t = Translator.builder()
                                .setCheckpoint(ckpt)
                                .setDevice(settings.device())
                                .optBatchSize(settings.batchSize())
                                .optPrecision(settings.precision())
                                .build();
                        LoadedModel m;
                        try {
                            m = LoadedModel.of(name, version, ckpt, t, domains, imageSize);
                        } catch (RuntimeException e) {
                            t.close();
                            throw e;
                        }
                        loadOrder.put(m, loads.incrementAndGet());
                        versions.computeIfAbsent(name, k -> new ConcurrentHashMap<>())
                                .put(version, m);
                        latest.put(name, m);
                        evictBeyondLimit(name);
                        return m;
                    } catch (Exception | Error e) {
                        String reason = e.getMessage() == null ? e.toString() : e.getMessage();
                        onFailure.accept(name + ":" + version, reason);
                        throw new IllegalStateException(
                                "model " + name + " version " + version + " from " + checkpoint + " failed to load: "
                                        + reason,
                                e);
                    }
                },
                compute);
        loading.put(key, load);
        load.whenComplete((m, e) -> loading.remove(key));
        return load;
    }

    /**
     * Retires the oldest unpinned versions of {@code name} beyond {@code keepVersions} (never the latest). Runs on the
     * compute thread, right after a load.
     */
    private void evictBeyondLimit(String name) {
        Map<String, LoadedModel> mine = versions.get(name);
        List<LoadedModel> unpinned = new ArrayList<>();
        for (LoadedModel m : mine.values()) {
            if (!settings.pinned().contains(name + ":" + m.version())) {
                unpinned.add(m);
            }
        }
        unpinned.sort((a, b) -> Long.compare(loadOrder.get(a), loadOrder.get(b)));
        for (int i = 0; i < unpinned.size() - settings.keepVersions(); i++) {
            LoadedModel old = unpinned.get(i);
            if (old == latest.get(name)) {
                continue;
            }
            mine.remove(old.version());
            loadOrder.remove(old);
            onEvicted.run();
            retired.add(old);
            // Freed on the compute thread, between batches, once no request holds it.
            old.retire(() -> {
                try {
                    compute.execute(() -> free(old));
                } catch (java.util.concurrent.RejectedExecutionException stopping) {
                    // the worker is stopping: close() frees it
                }
            });
        }
    }

    private void free(LoadedModel m) {
        m.translator().close();
        retired.remove(m);
        if (settings.device().isGpu()) {
            // Hand the freed blocks back to the driver, so other processes (and nvidia-smi) see them free.
            ai.djl.pytorch.jni.JniUtils.emptyCudaCache();
        }
    }

    /** A load of any version of {@code name} still in progress, or null: requests arriving at start-up wait for it. */
    public CompletableFuture<LoadedModel> pendingLoad(String name) {
        for (Map.Entry<String, CompletableFuture<LoadedModel>> e : loading.entrySet()) {
            if (e.getKey().startsWith(name + "\u0000")) {
                return e.getValue();
            }
        }
        return null;
    }

    /** The version to serve: the pinned one if given, else the latest; null when there is none. */
    public LoadedModel resolve(String name, String pinnedVersion) {
        return pinnedVersion == null ? latest.get(name) : find(name, pinnedVersion);
    }

    /**
     * As {@link #resolve}, and held for a request ({@link LoadedModel#release} when it is answered); null when there is
     * none. A version evicted between the lookup and the hold is looked up again.
     */
    public LoadedModel acquire(String name, String pinnedVersion) {
        while (true) {
            LoadedModel m = resolve(name, pinnedVersion);
            if (m == null || m.acquire()) {
                return m;
            }
        }
    }

    /** Loaded versions of every model, for metrics and health. */
    public Map<String, Map<String, LoadedModel>> versions() {
        return versions;
    }

    private LoadedModel find(String name, String version) {
        Map<String, LoadedModel> v = versions.get(name);
        return v == null ? null : v.get(version);
    }

    @Override
    public void close() {
        versions.values().forEach(v -> v.values().forEach(m -> m.translator().close()));
        retired.forEach(m -> m.translator().close());
    }
}
