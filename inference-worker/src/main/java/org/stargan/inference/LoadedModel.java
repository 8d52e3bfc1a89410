package org.stargan.inference;

import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.stargan.ckpt.GeneratorCheckpoint;
import org.stargan.infer.Translator;
import org.stargan.msg.DomainLabels;

/**
 * One model version ready to serve: its translator (used only on the compute thread), its domains and image size.
 *
 * <p>Requests hold it while they wait and compute ({@link #acquire}, {@link #release}); once the registry evicts it
 * ({@link #retire}), it takes no new holders and frees its weights when the last one lets go, so an evicted version never
 * computes on freed memory and never keeps device memory longer than its last request.
 */
public final class LoadedModel {
    private final String name;
    private final String version;
    private final Translator translator;
    private final DomainLabels domains;
    private final int imageSize;
    /** Holders, plus one while the registry serves it; −1 once closed. */
    private final AtomicInteger holders = new AtomicInteger(1);

    private volatile Runnable closer = () -> {};

    /**
     * @param name model name
     * @param version version label
     * @param translator the generator on this worker's device
     * @param domains names of the label entries (from the checkpoint or its announcement, else {@code domain0..})
     * @param imageSize the side requests are resized to
     */
    public LoadedModel(String name, String version, Translator translator, DomainLabels domains, int imageSize) {
        this.name = name;
        this.version = version;
        this.translator = translator;
        this.domains = domains;
        this.imageSize = imageSize;
    }

    /** Builds the serving view of a checkpoint that describes itself (or is served with {@code domain0..}, 128 px). */
    public static LoadedModel of(String name, String version, GeneratorCheckpoint ckpt, Translator translator) {
        return of(name, version, ckpt, translator, List.of(), 0);
    }

    /**
     * Builds the serving view of a checkpoint with what its announcement says about it: {@code domains} (empty: the
     * checkpoint's own names, else {@code domain0..}; hair colours among them form one exclusive group, as in the
     * official code) and {@code imageSize} (0: the checkpoint's, else 128). Names that do not fit the generator, or that
     * contradict the checkpoint's own, fail naming both.
     */
    public static LoadedModel of(
            String name,
            String version,
            GeneratorCheckpoint ckpt,
            Translator translator,
            List<String> domains,
            int imageSize) {
        int cDim = ckpt.config().cDim();
        List<String> own = ckpt.info().domains();
        DomainLabels d;
        if (!domains.isEmpty()) {
            if (domains.size() != cDim) {
                throw new IllegalArgumentException("domains: the announcement names " + domains.size() + " domains "
                        + domains + ", the generator has c_dim " + cDim);
            }
            if (!own.isEmpty() && !own.equals(domains)) {
                throw new IllegalArgumentException(
                        "domains: the announcement names " + domains + ", the checkpoint names " + own);
            }
            d = own.isEmpty()
                    ? DomainLabels.withOfficialGroups(domains, false)
                    : new DomainLabels(own, ckpt.info().exclusiveGroups());
        } else {
            d = own.isEmpty()
                    ? DomainLabels.unnamed(cDim)
                    : new DomainLabels(own, ckpt.info().exclusiveGroups());
        }
        int size = imageSize > 0
                ? imageSize
                : ckpt.info().imageSize() > 0 ? ckpt.info().imageSize() : 128;
        return new LoadedModel(name, version, translator, d, size);
    }

    /** Model name. */
    public String name() {
        return name;
    }

    /** Version label. */
    public String version() {
        return version;
    }

    /** The generator on this worker's device (compute thread only). */
    public Translator translator() {
        return translator;
    }

    /** Names of the label entries. */
    public DomainLabels domains() {
        return domains;
    }

    /** The side requests are resized to. */
    public int imageSize() {
        return imageSize;
    }

    /** Holds it for a request; false when it was retired meanwhile (resolve again). */
    public boolean acquire() {
        while (true) {
            int h = holders.get();
            if (h <= 0) {
                return false;
            }
            if (holders.compareAndSet(h, h + 1)) {
                return true;
            }
        }
    }

    /** A request holding it is done. */
    public void release() {
        dropOne();
    }

    /** Stops serving it: new requests cannot hold it; {@code closer} frees it when the last holder lets go. */
    void retire(Runnable closer) {
        this.closer = closer;
        dropOne();
    }

    /** Whether its weights have been freed. */
    public boolean isClosed() {
        return holders.get() < 0;
    }

    private void dropOne() {
        if (holders.decrementAndGet() == 0 && holders.compareAndSet(0, -1)) {
            closer.run();
        }
    }
}
