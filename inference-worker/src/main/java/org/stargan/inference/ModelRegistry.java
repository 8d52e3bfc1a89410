package org.stargan.inference;

import ai.djl.Device;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.function.BiConsumer;
import org.stargan.ckpt.GeneratorCheckpoint;
import org.stargan.infer.Translator;

/**
 * The model versions this worker serves. A new version is loaded in the background and becomes the latest
 * atomically once ready; requests may pin any loaded version; a version that fails to load leaves the others
 * serving and the failure is reported. Loading runs on the compute executor, so it never races a batch for the device.
 */
public final class ModelRegistry implements AutoCloseable {
    private final Map<String, Map<String, LoadedModel>> versions = new ConcurrentHashMap<>();
    private final Map<String, LoadedModel> latest = new ConcurrentHashMap<>();
    private final Map<String, CompletableFuture<LoadedModel>> loading = new ConcurrentHashMap<>();
    private final ExecutorService compute;
    private final Device device;
    private final int batchSize;
    private final BiConsumer<String, String> onFailure;

    /**
     * @param compute the worker's single compute thread
     * @param onFailure receives (name:version, reason) when a version cannot be loaded
     */
    public ModelRegistry(ExecutorService compute, Device device, int batchSize, BiConsumer<String, String> onFailure) {
        this.compute = compute;
        this.device = device;
        this.batchSize = batchSize;
        this.onFailure = onFailure;
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
                        Translator translator = new Translator(ckpt, device, batchSize);
                        LoadedModel m;
                        try {
                            m = LoadedModel.of(name, version, ckpt, translator, domains, imageSize);
                        } catch (RuntimeException e) {
                            translator.close();
                            throw e;
                        }
                        versions.computeIfAbsent(name, k -> new ConcurrentHashMap<>())
                                .put(version, m);
                        latest.put(name, m);
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
    }
}
