package org.stargan.face;

import java.util.ArrayList;
import java.util.List;
import org.stargan.msg.FaceBox;
import org.stargan.msg.PhotoOptions;

/**
 * What the model sees of a photo, and how to put its answer back: one crop per face translated (or one centre or
 * whole-image crop), each with its transform. {@link #prepare} finds and aligns (the work before the generator),
 * {@link #pasteBack} blends the generator's outputs into the photo (the work after it).
 *
 * @param photo the photo as it came (pasting back edits a copy)
 * @param options how it was asked to be cropped and answered
 * @param faces the faces translated, largest first (empty unless the crop is {@link PhotoOptions.Crop#FACE})
 * @param transforms one per crop
 * @param inputs the crops as one (N, 3, S, S) RGB batch in [−1, 1]
 */
public record PhotoCrops(
        Photo photo, PhotoOptions options, List<Face> faces, List<CropTransform> transforms, float[] inputs) {
    /**
     * Crops {@code photo} at the model's {@code size} as {@code options} say. With a face crop and no face found it
     * throws {@link NoFaceFoundException}, whose message names {@code asked} (how the caller spelled the option, e.g.
     * {@code stargan.crop=face}) and {@code fallback} (how to ask for a centre crop instead).
     */
    public static PhotoCrops prepare(
            Photo photo, PhotoOptions options, int size, FaceDetector detector, String asked, String fallback) {
        List<Face> faces = new ArrayList<>();
        List<CropTransform> transforms = new ArrayList<>();
        switch (options.crop()) {
            case CENTER -> transforms.add(CropTransform.centre(photo.width(), photo.height(), size));
            case NONE -> transforms.add(CropTransform.whole(photo.width(), photo.height(), size));
            case FACE -> {
                List<Face> found = detector.detect(photo.bgr());
                if (found.isEmpty()) {
                    throw new NoFaceFoundException(photo.width(), photo.height(), asked, fallback);
                }
                int take = options.faces() == PhotoOptions.Faces.ALL
                        ? Math.min(found.size(), PhotoOptions.Faces.MAX_FACES)
                        : 1;
                for (Face f : found.subList(0, take)) {
                    faces.add(f);
                    transforms.add(CelebAAlignment.transform(f, size));
                }
            }
        }
        int plane = 3 * size * size;
        float[] inputs = new float[transforms.size() * plane];
        for (int i = 0; i < transforms.size(); i++) {
            System.arraycopy(PhotoWarp.extract(photo.bgr(), transforms.get(i)), 0, inputs, i * plane, plane);
        }
        return new PhotoCrops(photo, options, List.copyOf(faces), List.copyOf(transforms), inputs);
    }

    /** Number of crops. */
    public int count() {
        return transforms.size();
    }

    /** Side of the crops. */
    public int size() {
        return transforms.get(0).size();
    }

    /** Crop {@code i} alone, (3, S, S). */
    public float[] input(int i) {
        int plane = 3 * size() * size();
        float[] one = new float[plane];
        System.arraycopy(inputs, i * plane, one, 0, plane);
        return one;
    }

    /** The detection boxes of the faces translated. */
    public List<FaceBox> boxes() {
        return faces.stream().map(Face::box).toList();
    }

    /**
     * A copy of the photo with {@code outputs} (the generator's (N, 3, S, S) answer for {@link #inputs}) blended in,
     * crop by crop; pixels outside the crops' masks keep their values exactly.
     */
    public Photo pasteBack(float[] outputs) {
        int plane = 3 * size() * size();
        if (outputs.length != count() * plane) {
            throw new IllegalArgumentException(
                    "outputs: " + outputs.length + " values, expected " + count() + "×3×" + size() + "×" + size());
        }
        Photo edited = photo.copy();
        for (int i = 0; i < count(); i++) {
            float[] one = new float[plane];
            System.arraycopy(outputs, i * plane, one, 0, plane);
            PhotoWarp.paste(edited.bgr(), one, transforms.get(i));
        }
        return edited;
    }
}
