package org.stargan.msg;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A record no worker could process, as published on the dead-letter topic: the original key, value and headers, plus
 * why it was refused and where it came from, so that an operator can inspect or replay it.
 *
 * @param key the original key (may be null)
 * @param value the original value
 * @param originalHeaders the original headers
 * @param reason why it was refused, naming the field at fault
 * @param source where it was read: {@code topic-partition@offset}
 */
public record DeadLetter(String key, byte[] value, Map<String, String> originalHeaders, String reason, String source) {
    /** Validates every field. */
    public DeadLetter {
        value = value == null ? new byte[0] : value;
        originalHeaders = Map.copyOf(originalHeaders);
        if (reason == null || reason.isBlank()) {
            throw new IllegalArgumentException(Protocol.DEAD_LETTER_REASON + ": empty, expected why it was refused");
        }
        if (source == null || !source.matches(".+-\\d+@\\d+")) {
            throw new IllegalArgumentException(
                    Protocol.DEAD_LETTER_SOURCE + ": '" + source + "', expected topic-partition@offset");
        }
    }

    /** The dead letter of the record at {@code offset} of {@code topic}'s {@code partition}. */
    public static DeadLetter of(
            String key,
            byte[] value,
            Map<String, String> headers,
            String reason,
            String topic,
            int partition,
            long offset) {
        return new DeadLetter(key, value, headers, reason, topic + "-" + partition + "@" + offset);
    }

    /** The original headers, then the reason and the source. */
    public Map<String, String> headers() {
        Map<String, String> h = new LinkedHashMap<>(originalHeaders);
        h.put(Protocol.DEAD_LETTER_REASON, reason);
        h.put(Protocol.DEAD_LETTER_SOURCE, source);
        return h;
    }

    /** Reads a dead letter back. */
    public static DeadLetter fromRecord(String key, byte[] value, Map<String, String> headers) {
        Map<String, String> original = new LinkedHashMap<>(headers);
        String reason = original.remove(Protocol.DEAD_LETTER_REASON);
        String source = original.remove(Protocol.DEAD_LETTER_SOURCE);
        return new DeadLetter(key, value, original, reason, source);
    }
}
