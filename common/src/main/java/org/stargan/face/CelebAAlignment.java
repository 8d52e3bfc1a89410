package org.stargan.face;

/**
 * Crops a face as the model's training data framed it. CelebA's aligned images ({@code img_align_celeba}, 178×218)
 * were made by a similarity transform that puts the two eyes at fixed places, and StarGAN's loader then centre-crops
 * 178×178 (the top 20 rows go) and resizes to the model's size. So a photo's face is framed the same way by the
 * similarity taking its eyes to those places, scaled from 178 to the model's size.
 *
 * <p>Where CelebA puts the eyes: (69, 111) and (108, 111), the means of its landmark file
 * ({@code list_landmarks_align_celeba.txt}, columns {@code lefteye_x lefteye_y righteye_x righteye_y}) as quoted with
 * the other three landmarks (nose (88, 136), mouth corners (72, 152) and (105, 152)) in the CelebA re-alignment
 * scripts of the ALAE project (Pidhorskyi et al., CVPR 2020); the file's first line, for {@code 000001.jpg}, reads
 * eyes (69, 109) and (106, 113), consistent with them. The landmark file counts whole pixels, so a landmark x is the
 * pixel whose centre is x + 0.5 in continuous coordinates.
 */
public final class CelebAAlignment {
    /** Side of the centre crop taken from CelebA's aligned images before resizing. */
    public static final int CROP = 178;
    /** Rows above the centre crop in the 218-row aligned image: (218 − 178) / 2. */
    public static final int CROP_TOP = 20;
    /** The image-left eye (the person's right eye) in the aligned 178×218 image, landmark-file pixels. */
    public static final double LEFT_EYE_X = 69;

    /** The image-right eye in the aligned image. */
    public static final double RIGHT_EYE_X = 108;
    /** Both eyes' row in the aligned image. */
    public static final double EYE_Y = 111;

    private CelebAAlignment() {}

    /** Where CelebA's image-left eye lands in a crop of {@code size} (continuous coordinates). */
    public static Face.Point leftEyeTarget(int size) {
        return target(LEFT_EYE_X, size);
    }

    /** Where CelebA's image-right eye lands in a crop of {@code size}. */
    public static Face.Point rightEyeTarget(int size) {
        return target(RIGHT_EYE_X, size);
    }

    private static Face.Point target(double x, int size) {
        double s = size / (double) CROP;
        return new Face.Point((x + 0.5) * s, (EYE_Y - CROP_TOP + 0.5) * s);
    }

    /** The crop of {@code face} at {@code size}: its eyes level and where CelebA's are. */
    public static CropTransform transform(Face face, int size) {
        return CropTransform.similarity(
                face.leftEye(), face.rightEye(), leftEyeTarget(size), rightEyeTarget(size), size);
    }
}
