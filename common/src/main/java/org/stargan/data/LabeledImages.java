package org.stargan.data;

import java.io.IOException;
import java.util.List;

/** A dataset split: images with their domain labels, decoded on demand to network tensors. */
public interface LabeledImages {
    /** Number of images. */
    int size();

    /** Domain names in label order. */
    List<String> domains();

    /** Whether every image has exactly one domain (RaFD, folders) rather than independent attributes (CelebA). */
    boolean singleLabel();

    /** The label vector of image {@code index} (1/0 per domain). */
    float[] label(int index);

    /** A name for image {@code index} in messages (its file). */
    String name(int index);

    /** Image {@code index} cropped, resized and scaled to [−1, 1]. */
    ImageCodec.Tensor load(int index) throws IOException;

    /** The side of the square tensors {@link #load} returns. */
    int imageSize();
}
