package org.stargan.gateway;

import io.vertx.core.json.JsonObject;
import org.stargan.msg.PhotoOptions;

/**
 * One live edit of {@code /v1/stream}, read from a text message and checked before anything is done with it:
 * {@code {"seq", "target"|"labels", "model"?, "version"?, "crop"?, "paste"?, "faces"?}} (docs/stream.md).
 *
 * @param seq the client's number for the edit, 0..{@link #MAX_SEQ}
 * @param target named targets, or null
 * @param labels the label vector, or null
 * @param model model name
 * @param version pinned version, or null
 * @param photo how the photo is cropped and answered ({@link PhotoOptions#DEFAULT} when the edit names nothing)
 */
record StreamEdit(long seq, String target, String labels, String model, String version, PhotoOptions photo) {
    /** The largest seq: 2^53 − 1, the largest integer a JavaScript client counts exactly. */
    static final long MAX_SEQ = 9_007_199_254_740_991L;

    /** Why a message is not an edit; {@link #seq} is its seq when that could be read, else −1. */
    static final class Invalid extends Exception {
        private static final long serialVersionUID = 1L;
        final long seq;
        /** Not JSON, or not an object: the client does not speak the protocol, and its socket is closed. */
        final boolean fatal;

        Invalid(long seq, boolean fatal, String message) {
            super(message, null, false, false);
            this.seq = seq;
            this.fatal = fatal;
        }
    }

    /** Reads {@code text}, or says which field is wrong, with its value and what was expected. */
    static StreamEdit parse(String text) throws Invalid {
        JsonObject j;
        try {
            j = new JsonObject(text);
        } catch (RuntimeException e) {
            throw new Invalid(-1, true, "edit: not a JSON object (" + e.getMessage() + ")");
        }
        Object s = j.getValue("seq");
        long seq;
        if ((s instanceof Integer || s instanceof Long)
                && ((Number) s).longValue() >= 0
                && ((Number) s).longValue() <= MAX_SEQ) {
            seq = ((Number) s).longValue();
        } else {
            throw new Invalid(
                    -1,
                    false,
                    "seq: " + (s == null ? "missing" : s instanceof String ? "'" + s + "'" : s)
                            + ", expected an integer 0.." + MAX_SEQ);
        }
        String target = string(j, "target", seq);
        String labels = string(j, "labels", seq);
        String model = string(j, "model", seq);
        String version = string(j, "version", seq);
        if (target == null && labels == null) {
            throw new Invalid(seq, false, "target or labels: neither given in edit " + seq);
        }
        String crop = string(j, "crop", seq);
        String faces = string(j, "faces", seq);
        Object paste = j.getValue("paste");
        if (paste != null && !(paste instanceof Boolean)) {
            throw new Invalid(
                    seq,
                    false,
                    "paste: " + (paste instanceof String ? "'" + paste + "'" : paste) + " in edit " + seq
                            + ", expected true or false (a JSON boolean)");
        }
        PhotoOptions photo;
        try {
            photo = PhotoParams.parse(crop, paste == null ? null : paste.toString(), faces);
        } catch (IllegalArgumentException e) {
            throw new Invalid(seq, false, e.getMessage() + " (in edit " + seq + ")");
        }
        return new StreamEdit(seq, target, labels, model == null ? "default" : model, version, photo);
    }

    private static String string(JsonObject j, String field, long seq) throws Invalid {
        Object v = j.getValue(field);
        if (v == null || v instanceof String) {
            return (String) v;
        }
        throw new Invalid(seq, false, field + ": " + v + " in edit " + seq + ", expected a string");
    }
}
