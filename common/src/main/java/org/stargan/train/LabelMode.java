package org.stargan.train;

/** How domain labels are read and classified. */
public enum LabelMode {
    /** Independent binary attributes (CelebA): binary cross-entropy with logits, summed, divided by the batch size. */
    MULTI_LABEL,
    /** Exactly one domain per image (RaFD, folders): cross-entropy over the domains, averaged over the batch. */
    SINGLE_LABEL
}
