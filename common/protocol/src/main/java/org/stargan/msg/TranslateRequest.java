package org.stargan.msg;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * A translation request as read off a Kafka record ({@code docs/protocol.md}): its id (the record key), the image
 * bytes (the value: PNG, JPEG or NPY), and what the headers ask. Construction validates every field and names the
 * one at fault, so a malformed record becomes a dead letter with a reason, never a crash.
 *
 * @param id request id, 1–128 characters of [A-Za-z0-9._:-]
 * @param image the record value
 * @param replyTo topic for the result
 * @param replyPartition partition of the reply topic, or −1 to let the key decide
 * @param labels raw label vector text, or null
 * @param target named targets, or null
 * @param model model name
 * @param modelVersion pinned version, or null for the latest
 * @param accept result encoding; null only with {@code photo.paste()}: the input photo's own format
 * @param photo how a PNG/JPEG photo is cropped and answered ({@link PhotoOptions#DEFAULT} when null)
 */
public record TranslateRequest(
        String id,
        byte[] image,
        String replyTo,
        int replyPartition,
        String labels,
        String target,
        String model,
        String modelVersion,
        String accept,
        PhotoOptions photo) {
    private static final Pattern ID = Pattern.compile("[A-Za-z0-9._:-]{1,128}");
    private static final Pattern TOPIC = Pattern.compile("[A-Za-z0-9._-]{1,249}");

    /** Validates every field. */
    public TranslateRequest {
        if (id == null || !ID.matcher(id).matches()) {
            throw new IllegalArgumentException(
                    "key: request id '" + id + "', expected 1-128 characters of A-Z a-z 0-9 . _ : -");
        }
        if (image == null || image.length == 0) {
            throw new IllegalArgumentException("value: empty, expected PNG, JPEG or NPY image bytes");
        }
        if (image.length > Protocol.MAX_VALUE_BYTES) {
            throw new IllegalArgumentException(
                    "value: " + image.length + " bytes, expected at most " + Protocol.MAX_VALUE_BYTES);
        }
        if (replyTo == null || !TOPIC.matcher(replyTo).matches()) {
            throw new IllegalArgumentException(Protocol.REPLY_TO + ": '" + replyTo + "', expected a topic name");
        }
        if (labels == null && target == null) {
            throw new IllegalArgumentException(Protocol.LABELS + "/" + Protocol.TARGET
                    + ": neither given, expected a label vector or Name=value targets");
        }
        if (model == null || !model.matches("[A-Za-z0-9._-]{1,64}")) {
            throw new IllegalArgumentException(
                    Protocol.MODEL + ": '" + model + "', expected 1-64 characters of A-Z a-z 0-9 . _ -");
        }
        photo = photo == null ? PhotoOptions.DEFAULT : photo;
        if (accept == null && !photo.paste()
                || accept != null
                        && !accept.equals(Protocol.PNG)
                        && !accept.equals(Protocol.JPEG)
                        && !accept.equals(Protocol.NPY)) {
            throw new IllegalArgumentException(
                    Protocol.ACCEPT + ": '" + accept + "', expected image/png, image/jpeg or application/x-npy");
        }
        if (photo.paste() && Protocol.NPY.equals(accept)) {
            throw new IllegalArgumentException(Protocol.ACCEPT + ": '" + accept + "' with " + Protocol.PASTE
                    + "=true, expected image/png or image/jpeg (or no " + Protocol.ACCEPT
                    + " for the photo's own format): a pasted-back answer is the photo itself");
        }
        if (photo.needsPhoto() && isNpy(image)) {
            throw new IllegalArgumentException(
                    (photo.crop() == PhotoOptions.Crop.FACE ? Protocol.CROP + ": 'face'" : Protocol.PASTE + ": 'true'")
                            + " needs a PNG or JPEG photo, but the value is NPY (a tensor at the model's size)");
        }
    }

    /** Whether {@code bytes} start like a NumPy {@code .npy} file. */
    public static boolean isNpy(byte[] bytes) {
        return bytes.length > 6 && (bytes[0] & 0xff) == 0x93 && bytes[1] == 'N' && bytes[2] == 'U';
    }

    /** A request with the {@linkplain PhotoOptions#DEFAULT default photo options} (centre crop, square answer). */
    public TranslateRequest(
            String id,
            byte[] image,
            String replyTo,
            int replyPartition,
            String labels,
            String target,
            String model,
            String modelVersion,
            String accept) {
        this(id, image, replyTo, replyPartition, labels, target, model, modelVersion, accept, PhotoOptions.DEFAULT);
    }

    /** The record headers, in a fixed order (the value is {@link #image}, the key {@link #id}). */
    public Map<String, String> headers() {
        Map<String, String> h = new LinkedHashMap<>();
        h.put(Protocol.SCHEMA, Protocol.REQUEST_V1);
        h.put(Protocol.REPLY_TO, replyTo);
        if (replyPartition >= 0) {
            h.put(Protocol.REPLY_PARTITION, Integer.toString(replyPartition));
        }
        if (labels != null) {
            h.put(Protocol.LABELS, labels);
        }
        if (target != null) {
            h.put(Protocol.TARGET, target);
        }
        h.put(Protocol.MODEL, model);
        if (modelVersion != null) {
            h.put(Protocol.MODEL_VERSION, modelVersion);
        }
        if (accept != null) {
            h.put(Protocol.ACCEPT, accept);
        }
        if (photo.crop() != PhotoOptions.DEFAULT.crop()) {
            h.put(Protocol.CROP, photo.crop().wire());
        }
        if (photo.paste()) {
            h.put(Protocol.PASTE, "true");
        }
        if (photo.faces() != PhotoOptions.DEFAULT.faces()) {
            h.put(Protocol.FACES, photo.faces().wire());
        }
        return h;
    }

    /** Reads a request from a record's key, value and headers (last value of each header wins). */
    public static TranslateRequest fromRecord(String key, byte[] value, Map<String, String> headers) {
        String schema = headers.get(Protocol.SCHEMA);
        if (!Protocol.REQUEST_V1.equals(schema)) {
            throw new IllegalArgumentException(Protocol.SCHEMA + ": '" + schema + "', expected " + Protocol.REQUEST_V1);
        }
        int partition = -1;
        String p = headers.get(Protocol.REPLY_PARTITION);
        if (p != null) {
            try {
                partition = Integer.parseInt(p.trim());
                if (partition < 0) {
                    throw new NumberFormatException();
                }
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException(
                        Protocol.REPLY_PARTITION + ": '" + p + "', expected a partition number ≥ 0");
            }
        }
        PhotoOptions photo = PhotoOptions.fromHeaders(
                headers.get(Protocol.CROP), headers.get(Protocol.PASTE), headers.get(Protocol.FACES));
        return new TranslateRequest(
                key,
                value,
                headers.get(Protocol.REPLY_TO),
                partition,
                headers.get(Protocol.LABELS),
                headers.get(Protocol.TARGET),
                headers.getOrDefault(Protocol.MODEL, "default"),
                headers.get(Protocol.MODEL_VERSION),
                // Without stargan.accept a pasted-back answer keeps the photo's format, any other answer is PNG.
                headers.getOrDefault(Protocol.ACCEPT, photo.paste() ? null : Protocol.PNG),
                photo);
    }
}
