package org.stargan.gateway;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;
import org.stargan.msg.FaceBox;
import org.stargan.msg.PhotoOptions;
import org.stargan.msg.TranslateRequest;

/**
 * The gateway's spelling of {@link PhotoOptions}: the parameters {@code crop}, {@code paste} and {@code faces} of
 * {@code POST /v1/translations} and of a {@code /v1/stream} edit, parsed by {@link PhotoOptions}' own parsers so that a
 * bad value is refused naming the parameter, the value and what is expected, as every other surface does; and the
 * worker's answers about photos (face boxes, no face) in the words of this surface.
 */
final class PhotoParams {
    /** Response header with the detected faces' boxes, the text of the worker's {@code stargan.face-boxes}. */
    static final String FACE_BOXES_HEADER = "X-Face-Boxes";

    private PhotoParams() {}

    /** The options of the given parameters (each may be null: its default applies). */
    static PhotoOptions parse(String crop, String paste, String faces) {
        return new PhotoOptions(
                crop == null ? PhotoOptions.DEFAULT.crop() : PhotoOptions.Crop.parse(crop, "crop"),
                paste != null && PhotoOptions.parsePaste(paste, "paste"),
                faces == null ? PhotoOptions.DEFAULT.faces() : PhotoOptions.Faces.parse(faces, "faces"));
    }

    /**
     * Why {@code photo} cannot be applied to {@code image}, in the parameters' names, or null when it can: a face crop
     * or a paste-back needs a PNG or JPEG photo, not an NPY tensor that is already the model's square.
     */
    static String refusal(PhotoOptions photo, byte[] image) {
        if (photo.needsPhoto() && TranslateRequest.isNpy(image)) {
            return (photo.crop() == PhotoOptions.Crop.FACE ? "crop: 'face'" : "paste: 'true'")
                    + " needs a PNG or JPEG photo, but the image is NPY (a tensor at the model's size);"
                    + " send the photo, or leave out crop and paste";
        }
        return null;
    }

    /**
     * A worker's {@code no_face} reason as this surface's caller must act on it: the worker names its Kafka header
     * ({@code stargan.crop=face}, {@code stargan.crop=center}), the caller of the gateway set the parameter
     * {@code crop}.
     */
    static String noFaceMessage(String workerMessage) {
        return workerMessage.replace("stargan.crop=", "crop=");
    }

    /** The boxes as JSON, {@code [{"x", "y", "width", "height"}, ...]} in the upright photo's pixels. */
    static JsonArray boxesJson(List<FaceBox> boxes) {
        JsonArray a = new JsonArray();
        for (FaceBox b : boxes) {
            a.add(new JsonObject()
                    .put("x", b.x())
                    .put("y", b.y())
                    .put("width", b.width())
                    .put("height", b.height()));
        }
        return a;
    }
}
