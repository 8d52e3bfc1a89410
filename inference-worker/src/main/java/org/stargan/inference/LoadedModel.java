package org.stargan.inference;

import java.util.List;
import org.stargan.ckpt.GeneratorCheckpoint;
import org.stargan.infer.Translator;
import org.stargan.msg.DomainLabels;

/**
 * One model version ready to serve: its translator (used only on the compute thread), its domains and image size.
 *
 * @param name model name
 * @param version version label
 * @param translator the generator on this worker's device
 * @param domains names of the label entries (from the checkpoint or its announcement, else {@code domain0..})
 * @param imageSize the side requests are resized to
 */
public record LoadedModel(String name, String version, Translator translator, DomainLabels domains, int imageSize) {
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
}
