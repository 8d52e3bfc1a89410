package org.stargan.face;

/**
 * A photo in which no face was found although the caller asked for a face crop: the request is well formed, the
 * photo cannot be processed that way (a gateway answers 422; the Kafka result's error kind is {@code no_face}).
 */
public final class NoFaceFoundException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    /** {@code what} names the option (e.g. {@code stargan.crop=face}); the message says what to do instead. */
    public NoFaceFoundException(int width, int height, String what, String fallback) {
        super("no face found in the " + width + "×" + height + " photo (" + what + "); send a photo with a frontal face"
                + " at least " + FaceDetector.minFaceSide(width, height) + " px wide, or choose " + fallback
                + " to translate the photo without face detection");
    }
}
