package org.stargan.gateway;

import io.vertx.core.http.HttpHeaders;
import io.vertx.ext.web.RoutingContext;
import java.util.Locale;
import org.stargan.msg.Protocol;

/**
 * Which answers the HTTP server may gzip: text (JSON, YAML, the web UI's pages and scripts) when the client asks, but
 * not images, NPY arrays or checkpoints. Those are compressed already or shrink by a few percent, and gzip at the
 * server's level would cost about as much CPU as the rest of the gateway's work for a translation, on every request a
 * browser makes (browsers always send {@code Accept-Encoding: gzip}). Vert.x leaves an answer whose
 * {@code Content-Encoding} is {@code identity} uncompressed and drops that header.
 */
final class AnswerCompression {
    private AnswerCompression() {}

    /** The first handler of every route: marks the answer once its headers are final. */
    static void route(RoutingContext ctx) {
        ctx.addHeadersEndHandler(v -> {
            var headers = ctx.response().headers();
            if (!headers.contains(HttpHeaders.CONTENT_ENCODING) && isCompressedAlready(headers.get("Content-Type"))) {
                headers.set(HttpHeaders.CONTENT_ENCODING, HttpHeaders.IDENTITY);
            }
        });
        ctx.next();
    }

    /** Whether a body of this type gains too little from gzip to be worth its CPU. */
    static boolean isCompressedAlready(String contentType) {
        if (contentType == null) {
            return false;
        }
        String t = contentType.toLowerCase(Locale.ROOT);
        return t.startsWith("image/")
                || t.startsWith(Protocol.NPY)
                || t.startsWith("application/octet-stream")
                || t.startsWith("application/zip");
    }
}
