package org.stargan.msg;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;
import java.util.regex.Pattern;

/**
 * A translation's answer as carried on a reply topic ({@code docs/protocol.md}): key = the request id, value = the
 * image (empty for an error), headers = status, error kind and message, or the model version, timings and worker.
 *
 * @param id the request id (the record key)
 * @param status whether it worked
 * @param errorKind for an error, what went wrong (decides the HTTP status a gateway answers with); null when ok
 * @param message for an error, what went wrong in words naming the field; null when ok
 * @param image the encoded image ({@link #contentType}); empty for an error
 * @param contentType the image's encoding; null for an error
 * @param model the model that answered; null for an error
 * @param modelVersion its version; null for an error
 * @param queueMillis how long the request waited in the worker before its batch ran
 * @param computeMillis how long its batch computed
 * @param batchSize how many requests that batch held
 * @param worker which worker answered
 * @param faces for a face crop, the faces translated (boxes in the upright photo's pixels); empty otherwise
 */
public record TranslateResult(
        String id,
        Status status,
        ErrorKind errorKind,
        String message,
        byte[] image,
        String contentType,
        String model,
        String modelVersion,
        double queueMillis,
        double computeMillis,
        int batchSize,
        String worker,
        List<FaceBox> faces) {
    private static final Pattern ID = Pattern.compile("[A-Za-z0-9._:-]{1,128}");

    /** {@code stargan.status}. */
    public enum Status {
        OK("ok"),
        ERROR("error");

        private final String wire;

        Status(String wire) {
            this.wire = wire;
        }

        /** The header value. */
        public String wire() {
            return wire;
        }

        static Status parse(String value) {
            return byWire(values(), Status::wire, Protocol.STATUS, value, "ok or error");
        }
    }

    /** {@code stargan.error-kind}: why a request failed, so that a gateway can answer 400, 503 or 500. */
    public enum ErrorKind {
        /** The request itself is wrong (image, targets, headers): the asker must change it. */
        BAD_REQUEST("bad_request"),
        /**
         * The image is a valid photo but has no face to crop ({@code stargan.crop=face}): the asker needs another photo
         * or {@code stargan.crop=center} (an HTTP gateway answers 422).
         */
        NO_FACE("no_face"),
        /** The model or version asked for is not served by this worker (yet): asking again later may work. */
        MODEL_UNAVAILABLE("model_unavailable"),
        /** The worker failed computing a valid request. */
        INTERNAL("internal");

        private final String wire;

        ErrorKind(String wire) {
            this.wire = wire;
        }

        /** The header value. */
        public String wire() {
            return wire;
        }

        /** The kind named by {@code value}; an error result without the header is a {@link #BAD_REQUEST}. */
        static ErrorKind parse(String value) {
            if (value == null) {
                return BAD_REQUEST;
            }
            for (ErrorKind k : values()) {
                if (k.wire.equals(value)) {
                    return k;
                }
            }
            throw new IllegalArgumentException(Protocol.ERROR_KIND + ": '" + value
                    + "', expected bad_request, no_face, model_unavailable or internal");
        }
    }

    /** The constant whose header value is {@code value}; an exception naming the header otherwise. */
    private static <E> E byWire(E[] values, Function<E, String> wire, String header, String value, String expected) {
        for (E e : values) {
            if (wire.apply(e).equals(value)) {
                return e;
            }
        }
        throw new IllegalArgumentException(header + ": '" + value + "', expected " + expected);
    }

    /** Validates every field, naming the one at fault. */
    public TranslateResult {
        if (id == null || !ID.matcher(id).matches()) {
            throw new IllegalArgumentException(
                    "key: request id '" + id + "', expected 1-128 characters of A-Z a-z 0-9 . _ : -");
        }
        if (status == null) {
            throw new IllegalArgumentException(Protocol.STATUS + ": missing, expected ok or error");
        }
        image = image == null ? new byte[0] : image;
        faces = faces == null ? List.of() : List.copyOf(faces);
        if (status == Status.ERROR) {
            if (errorKind == null) {
                throw new IllegalArgumentException(Protocol.ERROR_KIND + ": missing on an error result");
            }
            message = message == null || message.isBlank() ? "translation failed (no reason given)" : message;
        } else {
            if (errorKind != null || message != null) {
                throw new IllegalArgumentException(Protocol.ERROR + ": '" + message + "' on an ok result");
            }
            if (image.length == 0) {
                throw new IllegalArgumentException("value: empty on an ok result, expected the image");
            }
            if (contentType == null) {
                throw new IllegalArgumentException(Protocol.CONTENT_TYPE + ": missing on an ok result");
            }
        }
    }

    /** A translated image. */
    public static TranslateResult ok(
            String id,
            byte[] image,
            String contentType,
            String model,
            String modelVersion,
            double queueMillis,
            double computeMillis,
            int batchSize,
            String worker) {
        return new TranslateResult(
                id,
                Status.OK,
                null,
                null,
                image,
                contentType,
                model,
                modelVersion,
                queueMillis,
                computeMillis,
                batchSize,
                worker,
                List.of());
    }

    /** A failed request, with what went wrong. */
    public static TranslateResult error(String id, ErrorKind kind, String message, String worker) {
        return new TranslateResult(
                id, Status.ERROR, kind, message, new byte[0], null, null, null, 0, 0, 0, worker, List.of());
    }

    /** This result with the boxes of the faces it translated. */
    public TranslateResult withFaces(List<FaceBox> boxes) {
        return new TranslateResult(
                id,
                status,
                errorKind,
                message,
                image,
                contentType,
                model,
                modelVersion,
                queueMillis,
                computeMillis,
                batchSize,
                worker,
                boxes);
    }

    /** Whether the translation worked. */
    public boolean isOk() {
        return status == Status.OK;
    }

    /** The record headers, in a fixed order. */
    public Map<String, String> headers() {
        Map<String, String> h = new LinkedHashMap<>();
        h.put(Protocol.SCHEMA, Protocol.RESULT_V1);
        h.put(Protocol.STATUS, status.wire());
        if (status == Status.ERROR) {
            h.put(Protocol.ERROR_KIND, errorKind.wire());
            h.put(Protocol.ERROR, message);
        } else {
            h.put(Protocol.CONTENT_TYPE, contentType);
            putIfSet(h, Protocol.MODEL, model);
            putIfSet(h, Protocol.MODEL_VERSION, modelVersion);
            h.put(Protocol.QUEUE_MS, millis(queueMillis));
            h.put(Protocol.COMPUTE_MS, millis(computeMillis));
            h.put(Protocol.BATCH_SIZE, Integer.toString(batchSize));
            if (!faces.isEmpty()) {
                h.put(Protocol.FACE_BOXES, FaceBox.toHeader(faces));
            }
        }
        putIfSet(h, Protocol.WORKER, worker);
        return h;
    }

    /**
     * Milliseconds as the result's headers (and the gateway's X-Queue-Ms, X-Compute-Ms) carry them: two decimals, as
     * {@code %.2f} writes them. Without a Formatter for the usual values: two formats per answer, each making its
     * locale's symbols, were a few percent of a worker's CPU outside the generator (its profile at 48 px).
     */
    public static String millis(double ms) {
        if (!(ms >= 0 && ms < 1e12)) {
            return String.format(Locale.ROOT, "%.2f", ms);
        }
        long hundredths = Math.round(ms * 100);
        long cents = hundredths % 100;
        return (hundredths / 100) + (cents < 10 ? ".0" : ".") + cents;
    }

    /** Reads a result from a record's key, value and headers (last value of each header wins). */
    public static TranslateResult fromRecord(String key, byte[] value, Map<String, String> headers) {
        String schema = headers.get(Protocol.SCHEMA);
        if (!Protocol.RESULT_V1.equals(schema)) {
            throw new IllegalArgumentException(Protocol.SCHEMA + ": '" + schema + "', expected " + Protocol.RESULT_V1);
        }
        Status status = Status.parse(headers.get(Protocol.STATUS));
        String worker = headers.get(Protocol.WORKER);
        if (status == Status.ERROR) {
            return error(key, ErrorKind.parse(headers.get(Protocol.ERROR_KIND)), headers.get(Protocol.ERROR), worker);
        }
        return ok(
                        key,
                        value,
                        headers.get(Protocol.CONTENT_TYPE),
                        headers.get(Protocol.MODEL),
                        headers.get(Protocol.MODEL_VERSION),
                        number(headers, Protocol.QUEUE_MS),
                        number(headers, Protocol.COMPUTE_MS),
                        (int) number(headers, Protocol.BATCH_SIZE),
                        worker)
                .withFaces(FaceBox.fromHeader(headers.get(Protocol.FACE_BOXES)));
    }

    private static double number(Map<String, String> headers, String name) {
        String v = headers.get(name);
        if (v == null) {
            return 0;
        }
        try {
            return Double.parseDouble(v.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(name + ": '" + v + "', expected a number");
        }
    }

    private static void putIfSet(Map<String, String> h, String name, String value) {
        if (value != null) {
            h.put(name, value);
        }
    }
}
