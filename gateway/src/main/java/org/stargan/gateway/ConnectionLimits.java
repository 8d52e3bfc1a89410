package org.stargan.gateway;

import io.vertx.core.json.JsonObject;

/**
 * What one connection or live-edit session may hold of the gateway, so that slow, silent or hostile clients cannot
 * tie it up: how long a request's headers and body may take to arrive, how long a connection may sit idle, and how
 * many {@code /v1/stream} sessions (and how many bytes of images in them) the gateway keeps.
 *
 * @param headerTimeoutMillis the request line and headers must arrive within this of the connection opening or of the
 *     previous response ending (so it is also how long an idle keep-alive connection stays open)
 * @param bodyTimeoutMillis a request's body must have arrived this long after its headers
 * @param idleTimeoutSeconds a connection (a WebSocket or an event stream included) with no bytes in either direction
 *     for this long is closed
 * @param maxStreamSessions open {@code /v1/stream} sessions, all clients together
 * @param maxStreamSessionsPerClient open sessions of one client (key, or address when translation is open)
 * @param streamImageBudgetBytes bytes of images all sessions together may hold for their edits
 */
public record ConnectionLimits(
        long headerTimeoutMillis,
        long bodyTimeoutMillis,
        int idleTimeoutSeconds,
        int maxStreamSessions,
        int maxStreamSessionsPerClient,
        long streamImageBudgetBytes) {
    /** 10 s for headers, 30 s for a body, 120 s idle, 64 sessions (4 per client) holding at most 256 MiB of images. */
    public static final ConnectionLimits DEFAULTS = new ConnectionLimits(10_000, 30_000, 120, 64, 4, 256L << 20);

    /** Validates the fields, naming the one at fault. */
    public ConnectionLimits {
        if (headerTimeoutMillis < 100 || bodyTimeoutMillis < 100) {
            throw new IllegalArgumentException("headerTimeoutMillis / bodyTimeoutMillis: " + headerTimeoutMillis + " / "
                    + bodyTimeoutMillis + ", expected ≥ 100 each");
        }
        if (idleTimeoutSeconds < 1) {
            throw new IllegalArgumentException("idleTimeoutSeconds: " + idleTimeoutSeconds + ", expected ≥ 1");
        }
        if (maxStreamSessionsPerClient < 1 || maxStreamSessions < maxStreamSessionsPerClient) {
            throw new IllegalArgumentException("maxStreamSessions / maxStreamSessionsPerClient: " + maxStreamSessions
                    + " / " + maxStreamSessionsPerClient + ", expected 1 ≤ per client ≤ total");
        }
        if (streamImageBudgetBytes < 1) {
            throw new IllegalArgumentException("streamImageBudgetBytes: " + streamImageBudgetBytes + ", expected ≥ 1");
        }
    }

    /** Reads the JSON form; absent keys take the defaults. */
    public static ConnectionLimits fromJson(JsonObject j) {
        ConnectionLimits d = DEFAULTS;
        return j == null
                ? d
                : new ConnectionLimits(
                        j.getLong("headerTimeoutMillis", d.headerTimeoutMillis()),
                        j.getLong("bodyTimeoutMillis", d.bodyTimeoutMillis()),
                        j.getInteger("idleTimeoutSeconds", d.idleTimeoutSeconds()),
                        j.getInteger("maxStreamSessions", d.maxStreamSessions()),
                        j.getInteger("maxStreamSessionsPerClient", d.maxStreamSessionsPerClient()),
                        j.getLong("streamImageBudgetBytes", d.streamImageBudgetBytes()));
    }

    /** The JSON form. */
    public JsonObject toJson() {
        return new JsonObject()
                .put("headerTimeoutMillis", headerTimeoutMillis)
                .put("bodyTimeoutMillis", bodyTimeoutMillis)
                .put("idleTimeoutSeconds", idleTimeoutSeconds)
                .put("maxStreamSessions", maxStreamSessions)
                .put("maxStreamSessionsPerClient", maxStreamSessionsPerClient)
                .put("streamImageBudgetBytes", streamImageBudgetBytes);
    }
}
