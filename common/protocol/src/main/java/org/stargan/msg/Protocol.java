package org.stargan.msg;

/** Header names and values of the Kafka wire protocol ({@code docs/protocol.md}); header values are UTF-8 text. */
public final class Protocol {
    private Protocol() {}

    /** Schema of the record: {@code translate-request/1}, {@code translate-result/1}. */
    public static final String SCHEMA = "stargan.schema";
    /** Request schema, version 1. */
    public static final String REQUEST_V1 = "translate-request/1";
    /** Result schema, version 1. */
    public static final String RESULT_V1 = "translate-result/1";
    /** Topic the result goes to. */
    public static final String REPLY_TO = "stargan.reply-to";
    /** Partition of the reply topic the result goes to (optional). */
    public static final String REPLY_PARTITION = "stargan.reply-partition";
    /** Raw label vector {@code v1,v2,...}. */
    public static final String LABELS = "stargan.labels";
    /** Named targets {@code Name=value,...}, applied on top of the labels (or of zeros). */
    public static final String TARGET = "stargan.target";
    /** Model name (default {@code default}). */
    public static final String MODEL = "stargan.model";
    /** Pinned model version (default: the latest loaded). */
    public static final String MODEL_VERSION = "stargan.model-version";
    /** Wanted result encoding: {@code image/png} (default), {@code image/jpeg}, {@code application/x-npy}. */
    public static final String ACCEPT = "stargan.accept";
    /** What the model sees of a photo: {@code face}, {@code center} (default) or {@code none} ({@link PhotoOptions}). */
    public static final String CROP = "stargan.crop";
    /** {@code true}: the translation is pasted back into the photo, answered at the photo's own size and format. */
    public static final String PASTE = "stargan.paste";
    /** With {@code stargan.crop=face}: {@code largest} (default) or {@code all} faces. */
    public static final String FACES = "stargan.faces";
    /** Result of a face crop: the detected faces' boxes {@code x,y,w,h;...} in the upright photo's pixels. */
    public static final String FACE_BOXES = "stargan.face-boxes";
    /** Result status: {@code ok} or {@code error}. */
    public static final String STATUS = "stargan.status";
    /** Error message of a failed request. */
    public static final String ERROR = "stargan.error";
    /** What kind of failure: {@code bad_request}, {@code no_face}, {@code model_unavailable} or {@code internal}. */
    public static final String ERROR_KIND = "stargan.error-kind";
    /** Encoding of a result's value. */
    public static final String CONTENT_TYPE = "stargan.content-type";
    /** Milliseconds the request waited in the worker before its batch ran. */
    public static final String QUEUE_MS = "stargan.queue-ms";
    /** Milliseconds its batch computed. */
    public static final String COMPUTE_MS = "stargan.compute-ms";
    /** Size of the batch it ran in. */
    public static final String BATCH_SIZE = "stargan.batch-size";
    /** Which worker answered. */
    public static final String WORKER = "stargan.worker";
    /** Why a record went to dead letters. */
    public static final String DEAD_LETTER_REASON = "stargan.dead-letter.reason";
    /** Where it came from: {@code topic-partition@offset}. */
    public static final String DEAD_LETTER_SOURCE = "stargan.dead-letter.source";

    /** PNG. */
    public static final String PNG = "image/png";
    /** JPEG. */
    public static final String JPEG = "image/jpeg";
    /** NumPy float32 (1, 3, H, W), raw generator output. */
    public static final String NPY = "application/x-npy";
    /**
     * Largest request value accepted (10 MiB): the gateway's default and largest body limit, and with its headroom
     * for key and headers ({@code KafkaSettings.MAX_RECORD_BYTES}) what brokers must accept.
     */
    public static final int MAX_VALUE_BYTES = 10 << 20;
}
