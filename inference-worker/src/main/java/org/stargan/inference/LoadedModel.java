package org.stargan.inference;

import org.stargan.ckpt.GeneratorCheckpoint;
import org.stargan.infer.Translator;
import org.stargan.msg.DomainLabels;

/**
 * One model version ready to serve: its translator (used only on the compute thread), its domains and image size.
 *
 * @param name model name
 * @param version version label
 * @param translator the generator on this worker's device
 * @param domains names of the label entries (from the checkpoint, or {@code domain0..} for official files)
 * @param imageSize the side requests are resized to
 */
public record LoadedModel(String name, String version, Translator translator, DomainLabels domains, int imageSize) {
    /** Builds the serving view of a checkpoint. */
    public static LoadedModel of(String name, String version, GeneratorCheckpoint ckpt, Translator translator) {
        DomainLabels d = ckpt.info().domains().isEmpty()
                ? DomainLabels.unnamed(ckpt.config().cDim())
                : new DomainLabels(ckpt.info().domains(), ckpt.info().exclusiveGroups());
        int size = ckpt.info().imageSize() > 0 ? ckpt.info().imageSize() : 128;
        return new LoadedModel(name, version, translator, d, size);
    }
}
