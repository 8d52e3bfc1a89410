package org.stargan.gateway;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.core.http.WebSocketFrame;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.nio.charset.StandardCharsets;
import org.stargan.msg.DomainLabels;
import org.stargan.msg.Protocol;
import org.stargan.msg.TranslateRequest;
import org.stargan.msg.TranslateResult;

/**
 * {@code /v1/stream}: live edits over a WebSocket (format in docs/stream.md). A binary message sets the image; a text
 * message {@code {"seq", "target"|"labels", "model"?, "version"?, "crop"?, "paste"?, "faces"?}} asks for a translation
 * of it. While one edit is being translated only the newest waiting edit is kept (latest wins); each answer is a text
 * frame {@code {"seq", "model_version", "compute_ms", "content_type", "face_boxes", ...}} followed by a binary frame
 * with the image (PNG; with paste-back the photo in its own format), or a text frame {@code {"seq", "error",
 * "message"}} ({@code no_face} when a face crop found none). Closing the socket drops the pending edit and any result still on its way.
 *
 * <p>Bounded against hostile clients: sessions per client and in all ({@link StreamSessions}, refused with 429 before
 * the upgrade), compression refused by the server (so a message's size on the wire is its size), messages assembled
 * here from frames with a limit per kind ({@link #MAX_TEXT_BYTES} for edits, the body limit for images: beyond it an
 * error frame and close 1009), a message that is not a JSON object answered and closed (1007), the images held by all
 * sessions within a budget. A session holds at most one image and one message being assembled.
 */
final class LiveEditSocket {
    /** The largest edit message: an edit is a few dozen bytes of JSON. */
    static final int MAX_TEXT_BYTES = 64 << 10;

    private static final short MESSAGE_TOO_BIG = 1009;
    private static final short INVALID_PAYLOAD = 1007;

    private final GatewayConfig config;
    private final ModelCatalog catalog;
    private final ReplyClient replies;
    private final String replyTopic;
    private final UploadCheck uploads;
    private final AuthHandler auth;
    private final Admission admission;
    private final ApiErrors errors;
    private final StreamSessions sessions;

    LiveEditSocket(
            GatewayConfig config,
            ModelCatalog catalog,
            ReplyClient replies,
            String replyTopic,
            AuthHandler auth,
            Admission admission,
            ApiErrors errors) {
        this.config = config;
        this.catalog = catalog;
        this.replies = replies;
        this.replyTopic = replyTopic;
        this.uploads = new UploadCheck(config.maxPixels());
        this.auth = auth;
        this.admission = admission;
        this.errors = errors;
        this.sessions = new StreamSessions(config.limits());
    }

    /** Adds the route. */
    void mount(Router r) {
        r.get("/v1/stream")
                .handler(auth.requireAllowingQueryKey(ApiKeys.Scope.TRANSLATE))
                .handler(this::open);
    }

    /** Open sessions. */
    int sessions() {
        return sessions.open();
    }

    /** Bytes of images the sessions hold. */
    long heldBytes() {
        return sessions.heldBytes();
    }

    private void open(RoutingContext ctx) {
        String client = AuthHandler.client(ctx);
        String refusal = sessions.refusal(client);
        if (refusal != null) {
            ctx.response().putHeader("Retry-After", "5");
            errors.send(ctx, 429, "too_many_requests", "stream_sessions", refusal);
            return;
        }
        // Counted before the upgrade completes, so a burst of handshakes cannot overshoot the limits.
        sessions.opened(client);
        ctx.request()
                .toWebSocket()
                .onSuccess(ws -> {
                    Session session = new Session(ws, client);
                    ws.frameHandler(session::frame);
                    ws.exceptionHandler(e -> {}); // a broken socket ends in its close handler
                    ws.closeHandler(v -> session.close());
                })
                .onFailure(e -> {
                    sessions.closed(client);
                    errors.send(ctx, 400, "bad_request", "expected a WebSocket upgrade: " + e.getMessage());
                });
    }

    /** One socket: its image, the message being assembled, the newest edit waiting and the one being translated. */
    private final class Session {
        private final ServerWebSocket ws;
        private final String client;
        private Buffer image;
        private Buffer assembling;
        private boolean assemblingText;
        private StreamEdit pending;
        private String inFlight;
        private boolean closed;

        Session(ServerWebSocket ws, String client) {
            this.ws = ws;
            this.client = client;
        }

        /** Assembles messages from frames within their kind's limit (Vert.x's own limits count compressed bytes). */
        void frame(WebSocketFrame f) {
            if ((f.isText() || f.isBinary()) && f.isFinal()) {
                // A whole message in one frame, as browsers send it: its data is already a copy of its own.
                assembling = null;
                assemblingText = f.isText();
                if (!withinLimit(f.binaryData().length())) {
                    return;
                }
                deliver(f.binaryData());
                return;
            }
            if (f.isText() || f.isBinary()) {
                assemblingText = f.isText();
                assembling = Buffer.buffer();
            } else if (!f.isContinuation() || assembling == null) {
                return; // ping, pong and close are Vert.x's
            }
            if (!withinLimit(assembling.length() + f.binaryData().length())) {
                return;
            }
            assembling.appendBuffer(f.binaryData());
            if (f.isFinal()) {
                Buffer message = assembling;
                assembling = null;
                deliver(message);
            }
        }

        /** Whether a message of {@code bytes} (so far) is within its kind's limit; if not, refuses it and closes. */
        private boolean withinLimit(long bytes) {
            int limit = assemblingText ? MAX_TEXT_BYTES : config.maxBodyBytes();
            if (bytes <= limit) {
                return true;
            }
            assembling = null;
            refuse(
                    MESSAGE_TOO_BIG,
                    "too_large",
                    (assemblingText ? "edit" : "image") + ": a message larger than " + limit
                            + " bytes, this gateway's limit for "
                            + (assemblingText ? "an edit" : "an image (--max-body-bytes)"));
            return false;
        }

        private void deliver(Buffer message) {
            if (assemblingText) {
                edit(message.toString(StandardCharsets.UTF_8));
            } else {
                image(message);
            }
        }

        void image(Buffer b) {
            try {
                uploads.check(b, "image");
            } catch (UploadCheck.Rejected r) {
                // Edits from now on are about the refused image: translating the previous one instead would answer
                // them with a picture the user no longer asks about.
                image = null;
                fail(-1, r.code, r.getMessage());
                return;
            }
            dropImage();
            if (!sessions.hold(b.length())) {
                fail(
                        -1,
                        "too_many_requests",
                        "image: the gateway's live-edit sessions already hold " + sessions.heldBytes()
                                + " bytes of images (its limit "
                                + config.limits().streamImageBudgetBytes()
                                + "); retry shortly");
                return;
            }
            image = b;
        }

        void edit(String text) {
            try {
                pending = StreamEdit.parse(text);
            } catch (StreamEdit.Invalid e) {
                if (e.fatal) {
                    refuse(INVALID_PAYLOAD, "bad_request", e.getMessage());
                } else {
                    fail(e.seq, "bad_request", e.getMessage());
                }
                return;
            }
            dispatch();
        }

        void close() {
            closed = true;
            pending = null;
            assembling = null;
            dropImage();
            sessions.closed(client);
            if (inFlight != null && replies.cancel(inFlight)) {
                done();
            }
        }

        private void dropImage() {
            if (image != null) {
                sessions.release(image.length());
                image = null;
            }
        }

        /** An error frame, then the socket closed with {@code status}. */
        private void refuse(short status, String code, String message) {
            fail(-1, code, message);
            if (!ws.isClosed()) {
                ws.close(status, code);
            }
        }

        private void fail(long seq, String code, String message) {
            if (!ws.isClosed()) {
                JsonObject j = new JsonObject();
                if (seq >= 0) {
                    j.put("seq", seq);
                }
                ws.writeTextMessage(j.put("error", code).put("message", message).encode());
            }
            errors.count(code);
        }

        /** Sends the newest waiting edit unless one is already being translated (latest wins). */
        private void dispatch() {
            if (inFlight != null || pending == null || closed) {
                return;
            }
            StreamEdit edit = pending;
            pending = null;
            long seq = edit.seq();
            if (image == null) {
                fail(seq, "bad_request", "no image to translate: send the image (a binary frame) before the edits");
                return;
            }
            String photoRefusal = PhotoParams.refusal(edit.photo(), image.getBytes(0, Math.min(image.length(), 8)));
            if (photoRefusal != null) {
                fail(seq, "bad_request", photoRefusal + " (in edit " + seq + ")");
                return;
            }
            try {
                DomainLabels domains = catalog.domains(edit.model(), edit.version());
                if (domains != null) {
                    TargetCheck.check(domains, edit.target(), edit.labels());
                }
            } catch (IllegalArgumentException e) {
                fail(seq, "bad_request", e.getMessage());
                return;
            }
            ClientLimits.Decision d = admission.take(client, 1);
            if (!d.admitted()) {
                boolean away = d.reason().equals(Admission.BROKER_UNREACHABLE);
                fail(
                        seq,
                        away ? "unavailable" : "too_many_requests",
                        admission.refusal(client, d) + (away ? "" : " (retry in " + d.retryAfterSeconds() + " s)"));
                return;
            }
            TranslateRequest request;
            try {
                request = new TranslateRequest(
                        replies.newId("ws-"),
                        image.getBytes(),
                        replyTopic,
                        -1,
                        edit.labels(),
                        edit.target(),
                        edit.model(),
                        edit.version(),
                        // A pasted-back answer is the photo in its own format (a camera's JPEG stays a JPEG).
                        edit.photo().paste() ? null : Protocol.PNG,
                        edit.photo());
            } catch (IllegalArgumentException e) {
                admission.release(client, 1);
                fail(seq, "bad_request", e.getMessage());
                return;
            }
            inFlight = request.id();
            replies.send(request, config.requestTimeoutMillis())
                    .onSuccess(result -> {
                        done();
                        answer(seq, result);
                        dispatch();
                    })
                    .onFailure(e -> {
                        if (e instanceof ReplyClient.Cancelled) {
                            return; // the socket closed; close() released the slot
                        }
                        done();
                        fail(seq, e instanceof ReplyClient.Timeout ? "timeout" : "unavailable", e.getMessage());
                        dispatch();
                    });
        }

        private void answer(long seq, TranslateResult result) {
            if (!result.isOk()) {
                fail(
                        seq,
                        switch (result.errorKind()) {
                            case INTERNAL -> "internal";
                            case MODEL_UNAVAILABLE -> "unavailable";
                            case NO_FACE -> "no_face";
                            default -> "bad_request";
                        },
                        result.errorKind() == TranslateResult.ErrorKind.NO_FACE
                                ? PhotoParams.noFaceMessage(result.message())
                                : result.message());
            } else if (!ws.isClosed()) {
                ws.writeTextMessage(new JsonObject()
                        .put("seq", seq)
                        .put("model_version", result.modelVersion())
                        .put("queue_ms", result.queueMillis())
                        .put("compute_ms", result.computeMillis())
                        .put("content_type", result.contentType())
                        .put("face_boxes", PhotoParams.boxesJson(result.faces()))
                        .encode());
                ws.writeBinaryMessage(Buffer.buffer(result.image()));
            }
        }

        private void done() {
            inFlight = null;
            admission.release(client, 1);
        }
    }
}
