package org.stargan.gateway;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.util.concurrent.atomic.AtomicInteger;
import org.stargan.msg.DomainLabels;
import org.stargan.msg.Protocol;
import org.stargan.msg.TranslateRequest;
import org.stargan.msg.TranslateResult;

/**
 * {@code /v1/stream}: live edits over a WebSocket (format in docs/stream.md). A binary frame sets the image; a text
 * frame {@code {"seq", "target"|"labels", "model"?, "version"?}} asks for a translation of it. While one edit is being
 * translated only the newest waiting edit is kept (latest wins); each answer is a text frame {@code {"seq",
 * "model_version", "compute_ms", ...}} followed by a binary frame with the PNG, or a text frame {@code {"seq", "error",
 * "message"}}. Closing the socket drops the pending edit and any result still on its way.
 */
final class LiveEditSocket {
    private final GatewayConfig config;
    private final ModelCatalog catalog;
    private final ReplyClient replies;
    private final String replyTopic;
    private final UploadCheck uploads;
    private final AuthHandler auth;
    private final Admission admission;
    private final ApiErrors errors;
    private final AtomicInteger sessions = new AtomicInteger();

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
    }

    /** Adds the route. */
    void mount(Router r) {
        r.get("/v1/stream")
                .handler(auth.requireAllowingQueryKey(ApiKeys.Scope.TRANSLATE))
                .handler(this::open);
    }

    /** Open sessions. */
    int sessions() {
        return sessions.get();
    }

    private void open(RoutingContext ctx) {
        String client = AuthHandler.client(ctx);
        ctx.request()
                .toWebSocket()
                .onSuccess(ws -> {
                    sessions.incrementAndGet();
                    Session session = new Session(ws, client);
                    ws.binaryMessageHandler(session::image);
                    ws.textMessageHandler(session::edit);
                    ws.closeHandler(v -> {
                        sessions.decrementAndGet();
                        session.close();
                    });
                })
                .onFailure(
                        e -> errors.send(ctx, 400, "bad_request", "expected a WebSocket upgrade: " + e.getMessage()));
    }

    /** One socket: its image, the newest edit waiting and the one being translated. Event loop only. */
    private final class Session {
        private final ServerWebSocket ws;
        private final String client;
        private Buffer image;
        private JsonObject pending;
        private String inFlight;

        Session(ServerWebSocket ws, String client) {
            this.ws = ws;
            this.client = client;
        }

        void image(Buffer b) {
            try {
                uploads.check(b, "image");
                image = b;
            } catch (UploadCheck.Rejected r) {
                // Edits from now on are about the refused image: translating the previous one instead would answer
                // them with a picture the user no longer asks about.
                image = null;
                fail(-1, r.code, r.getMessage());
            }
        }

        void edit(String text) {
            try {
                pending = new JsonObject(text);
            } catch (RuntimeException e) {
                fail(-1, "bad_request", "edit: not JSON (" + e.getMessage() + ")");
                return;
            }
            dispatch();
        }

        void close() {
            pending = null;
            if (inFlight != null && replies.cancel(inFlight)) {
                done();
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
            if (inFlight != null || pending == null || ws.isClosed()) {
                return;
            }
            JsonObject edit = pending;
            pending = null;
            long seq = edit.getLong("seq", 0L);
            String target = edit.getString("target");
            String labels = edit.getString("labels");
            String model = edit.getString("model", "default");
            String version = edit.getString("version");
            if (image == null) {
                fail(seq, "bad_request", "no image to translate: send one (a binary frame) before the edits");
                return;
            }
            if (target == null && labels == null) {
                fail(seq, "bad_request", "target or labels: neither given in edit " + seq);
                return;
            }
            try {
                DomainLabels domains = catalog.domains(model, version);
                if (domains != null) {
                    TargetCheck.check(domains, target, labels);
                }
            } catch (IllegalArgumentException e) {
                fail(seq, "bad_request", e.getMessage());
                return;
            }
            ClientLimits.Decision d = admission.take(client, 1);
            if (!d.admitted()) {
                fail(
                        seq,
                        "too_many_requests",
                        admission.refusal(client, d) + " (retry in " + d.retryAfterSeconds() + " s)");
                return;
            }
            TranslateRequest request;
            try {
                request = new TranslateRequest(
                        replies.newId("ws-"),
                        image.getBytes(),
                        replyTopic,
                        -1,
                        labels,
                        target,
                        model,
                        version,
                        Protocol.PNG);
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
                        fail(
                                seq,
                                e instanceof ReplyClient.Timeout ? "timeout" : "unavailable",
                                e instanceof ReplyClient.Timeout
                                        ? e.getMessage()
                                        : "the edit could not be queued: "
                                                + e.getCause().getMessage());
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
                            default -> "bad_request";
                        },
                        result.message());
            } else if (!ws.isClosed()) {
                ws.writeTextMessage(new JsonObject()
                        .put("seq", seq)
                        .put("model_version", result.modelVersion())
                        .put("queue_ms", result.queueMillis())
                        .put("compute_ms", result.computeMillis())
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
