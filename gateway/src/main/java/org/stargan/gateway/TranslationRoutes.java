package org.stargan.gateway;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.FileUpload;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import java.util.Base64;
import java.util.Locale;
import java.util.Set;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.stargan.msg.DomainLabels;
import org.stargan.msg.FaceBox;
import org.stargan.msg.PhotoOptions;
import org.stargan.msg.Protocol;
import org.stargan.msg.TranslateRequest;
import org.stargan.msg.TranslateResult;

/**
 * {@code POST /v1/translations} and {@code GET /v1/models}. A translation passes a chain of handlers: the body limit,
 * {@link AuthHandler}, {@link #parse} (what the upload really is, how many pixels it claims, whether the targets fit
 * the served model), {@link Admission}, and {@link #translate}, which sends it to the workers through the
 * {@link ReplyClient} and answers with the image (or JSON), or with the worker's error.
 */
final class TranslationRoutes {
    /** Declared types of a raw upload; the bytes are sniffed whatever it says. */
    private static final Set<String> UPLOAD_TYPES =
            Set.of(Protocol.PNG, Protocol.JPEG, Protocol.NPY, "application/octet-stream");

    private static final String CALL = "stargan.translation";

    /**
     * A checked translation request.
     *
     * @param image the upload
     * @param target named targets, or null
     * @param labels raw label vector, or null
     * @param model model name
     * @param version pinned version, or null
     * @param allDomains whether the answer is the official grid (input, then one column per domain)
     * @param domains the served model's domains, or null when its checkpoint names none
     * @param encoding the answer's image encoding; null with paste-back and no image type asked for: the photo's own
     * @param json whether the answer is JSON with the image in base64
     * @param photo how the photo is cropped and answered ({@code crop}, {@code paste}, {@code faces})
     */
    record Call(
            Buffer image,
            String target,
            String labels,
            String model,
            String version,
            boolean allDomains,
            DomainLabels domains,
            String encoding,
            boolean json,
            PhotoOptions photo) {
        /** Requests it sends to the workers: one, or one per domain for the grid. */
        int requests() {
            return allDomains ? (domains == null ? 1 : domains.size()) : 1;
        }
    }

    private final Vertx vertx;
    private final GatewayConfig config;
    private final ModelCatalog catalog;
    private final ReplyClient replies;
    private final String replyTopic;
    private final String registryTopic;
    private final UploadCheck uploads;
    private final AuthHandler auth;
    private final Admission admission;
    private final ApiErrors errors;
    private final DomainGrid grid;

    TranslationRoutes(
            Vertx vertx,
            GatewayConfig config,
            ModelCatalog catalog,
            ReplyClient replies,
            String replyTopic,
            String registryTopic,
            AuthHandler auth,
            Admission admission,
            ApiErrors errors) {
        this.vertx = vertx;
        this.config = config;
        this.catalog = catalog;
        this.replies = replies;
        this.replyTopic = replyTopic;
        this.registryTopic = registryTopic;
        this.uploads = new UploadCheck(config.maxPixels());
        this.auth = auth;
        this.admission = admission;
        this.errors = errors;
        this.grid = new DomainGrid(vertx, replies, errors, config.requestTimeoutMillis());
    }

    /** Adds the routes. */
    void mount(Router r) {
        // A route of its own: Vert.x takes no handler before the body handler on one route.
        r.post("/v1/translations").handler(TranslationRoutes::formBodyAsBytes);
        r.post("/v1/translations")
                .handler(
                        BodyHandler.create().setBodyLimit(config.maxBodyBytes()).setDeleteUploadedFilesOnEnd(true))
                .handler(auth.require(ApiKeys.Scope.TRANSLATE))
                .handler(this::parse)
                .handler(admission.handler(ctx -> call(ctx).requests(), errors))
                .handler(this::translate);
        r.get("/v1/models").handler(auth.require(ApiKeys.Scope.TRANSLATE)).handler(ctx -> ctx.json(catalog.toJson()));
    }

    /**
     * {@code curl --data-binary @face.png} without {@code -H} declares {@code application/x-www-form-urlencoded}, and
     * the body handler would then decode the image as form fields and fail on it (a bare 400, the bytes in the log).
     * An upload's type is read from its bytes anyway: such a body is taken as the raw image.
     */
    private static void formBodyAsBytes(RoutingContext ctx) {
        String type = ctx.request().getHeader("Content-Type");
        if (type != null && type.toLowerCase(Locale.ROOT).startsWith("application/x-www-form-urlencoded")) {
            ctx.request().headers().set("Content-Type", "application/octet-stream");
        }
        ctx.next();
    }

    /** The upload, from a raw body or the first file part of a form (read without blocking the event loop). */
    private void parse(RoutingContext ctx) {
        String type = ctx.request().getHeader("Content-Type");
        String mediaType = type == null ? "" : type.split(";")[0].trim().toLowerCase(Locale.ROOT);
        if (mediaType.equals("multipart/form-data")) {
            // A form upload: the first file is the image (its declared type and name are ignored: the bytes decide);
            // target/labels may come as form fields.
            if (ctx.fileUploads().isEmpty()) {
                errors.send(
                        ctx, 400, "bad_request", "multipart body: no file part, expected the image as a file field");
                return;
            }
            FileUpload upload = ctx.fileUploads().get(0);
            String field = "file part '" + upload.fileName() + "'";
            vertx.fileSystem()
                    .readFile(upload.uploadedFileName())
                    .onSuccess(bytes -> check(ctx, bytes, field))
                    .onFailure(e -> errors.send(ctx, 400, "bad_request", field + ": " + e.getMessage()));
        } else if (UPLOAD_TYPES.contains(mediaType)) {
            check(ctx, ctx.body().buffer(), "body");
        } else {
            errors.send(
                    ctx,
                    415,
                    "unsupported_media_type",
                    "Content-Type: '" + type + "', expected image/png, image/jpeg, application/x-npy, "
                            + "application/octet-stream or multipart/form-data");
        }
    }

    /** Checks the upload and the targets against the served model, then hands the call to the next handler. */
    private void check(RoutingContext ctx, Buffer body, String field) {
        try {
            uploads.check(body, field);
        } catch (UploadCheck.Rejected r) {
            errors.send(ctx, r.status, r.code, r.getMessage());
            return;
        }
        String target = ctx.request().getParam("target");
        String labels = ctx.request().getParam("labels");
        boolean all = "true".equals(ctx.request().getParam("all"));
        if (target == null && labels == null && !all) {
            errors.send(
                    ctx,
                    400,
                    "bad_request",
                    "target or labels: neither given, expected e.g. target=Blond_Hair=1,Male=0.5 or labels=0,1,0,1,1");
            return;
        }
        PhotoOptions photo;
        try {
            photo = PhotoParams.parse(
                    ctx.request().getParam("crop"),
                    ctx.request().getParam("paste"),
                    ctx.request().getParam("faces"));
        } catch (IllegalArgumentException e) {
            errors.send(ctx, 400, "bad_request", e.getMessage());
            return;
        }
        String refusal = PhotoParams.refusal(photo, body.getBytes(0, Math.min(body.length(), 8)));
        if (refusal == null && all && !photo.equals(PhotoOptions.DEFAULT)) {
            refusal = "crop, paste or faces with all=true: the grid is drawn from the centre square at the model's"
                    + " size, expected none of them (or crop=center)";
        }
        if (refusal != null) {
            errors.send(ctx, 400, "bad_request", refusal);
            return;
        }
        String accept = ctx.request().getHeader("Accept");
        boolean json = accept != null && accept.contains("application/json");
        String encoding = accept != null && accept.contains(Protocol.JPEG)
                ? Protocol.JPEG
                : accept != null && accept.contains(Protocol.NPY)
                        ? Protocol.NPY
                        : accept != null && accept.contains(Protocol.PNG)
                                ? Protocol.PNG
                                // A pasted-back answer is the photo itself: its own format unless another is asked.
                                : photo.paste() ? null : Protocol.PNG;
        if (photo.paste() && Protocol.NPY.equals(encoding)) {
            errors.send(
                    ctx,
                    400,
                    "bad_request",
                    "Accept: '" + accept + "' with paste=true, expected image/png or image/jpeg (or neither, for the"
                            + " photo's own format): a pasted-back answer is the photo itself");
            return;
        }
        if (catalog.isEmpty()) {
            errors.send(ctx, 503, "unavailable", "no model is served yet (nothing announced on " + registryTopic + ")");
            return;
        }
        String model = ctx.request().getParam("model") == null
                ? "default"
                : ctx.request().getParam("model");
        String version = ctx.request().getParam("version");
        DomainLabels domains;
        try {
            domains = catalog.domains(model, version);
            if (domains != null) {
                TargetCheck.check(domains, all ? null : target, labels);
            }
        } catch (IllegalArgumentException e) {
            errors.send(ctx, 400, "bad_request", e.getMessage());
            return;
        }
        if (all && domains == null) {
            errors.send(
                    ctx,
                    400,
                    "bad_request",
                    "all=true: the domains of model '" + model + "' are unknown (its checkpoint carries no names)");
            return;
        }
        ctx.put(CALL, new Call(body, target, labels, model, version, all, domains, encoding, json, photo));
        ctx.next();
    }

    private static Call call(RoutingContext ctx) {
        return ctx.get(CALL);
    }

    private void translate(RoutingContext ctx) {
        Call call = call(ctx);
        if (call.allDomains()) {
            grid.answer(ctx, call, this::request);
            return;
        }
        TranslateRequest request = request(call, call.target(), call.labels(), call.encoding());
        // The client went away: nobody waits for the answer any more.
        ctx.addEndHandler(v -> replies.cancel(request.id()));
        replies.send(request, config.requestTimeoutMillis())
                .onSuccess(result -> respond(ctx, result, call))
                .onFailure(e -> failed(ctx, e, errors));
    }

    /** A request to the workers for this call, answered on this instance's reply topic. */
    private TranslateRequest request(Call call, String target, String labels, String encoding) {
        return new TranslateRequest(
                replies.newId(""),
                call.image().getBytes(),
                replyTopic,
                -1,
                labels,
                target,
                call.model(),
                call.version(),
                encoding,
                call.photo());
    }

    private void respond(RoutingContext ctx, TranslateResult result, Call call) {
        if (!result.isOk()) {
            workerError(ctx, result, errors);
            return;
        }
        String queue = TranslateResult.millis(result.queueMillis());
        String compute = TranslateResult.millis(result.computeMillis());
        ctx.response()
                .putHeader("X-Model-Version", result.modelVersion() == null ? "" : result.modelVersion())
                .putHeader("X-Queue-Ms", queue)
                .putHeader("X-Compute-Ms", compute);
        if (!result.faces().isEmpty()) {
            // Where the faces were found, as the worker reported them: x,y,w,h;... in the upright photo's pixels.
            ctx.response().putHeader(PhotoParams.FACE_BOXES_HEADER, FaceBox.toHeader(result.faces()));
        }
        if (call.json()) {
            ctx.json(new JsonObject()
                    .put("request_id", result.id())
                    .put("model", result.model())
                    .put("model_version", result.modelVersion())
                    .put("queue_ms", Double.parseDouble(queue))
                    .put("compute_ms", Double.parseDouble(compute))
                    .put("batch_size", result.batchSize())
                    .put("worker", result.worker())
                    .put("content_type", result.contentType())
                    .put("face_boxes", PhotoParams.boxesJson(result.faces()))
                    .put("image_base64", Base64.getEncoder().encodeToString(result.image())));
        } else {
            // The worker says what it made: a pasted-back JPEG photo is image/jpeg whatever the default would be.
            ctx.response().putHeader("Content-Type", result.contentType()).end(Buffer.buffer(result.image()));
        }
    }

    /** Answers a worker's error result with the status its kind calls for. */
    static void workerError(RoutingContext ctx, TranslateResult result, ApiErrors errors) {
        switch (result.errorKind()) {
            case INTERNAL -> errors.send(ctx, 500, "internal", result.message());
            // A valid photo that cannot be processed as asked: another photo, or crop=center, will do.
            case NO_FACE -> errors.send(ctx, 422, "no_face", PhotoParams.noFaceMessage(result.message()));
            case MODEL_UNAVAILABLE -> {
                // Announced but not yet loaded by the worker that took it: asking again shortly works.
                ctx.response().putHeader("Retry-After", "1");
                errors.send(ctx, 503, "unavailable", result.message());
            }
            default -> errors.send(ctx, 400, "bad_request", result.message());
        }
    }

    /**
     * Answers a call that ended without a result: 504 after its deadline, 503 with Retry-After when it could not be
     * queued or the broker went away, 413 when the broker refused a record that large.
     */
    static void failed(RoutingContext ctx, Throwable e, ApiErrors errors) {
        if (e instanceof ReplyClient.Timeout) {
            errors.send(ctx, 504, "timeout", e.getMessage());
        } else if (e instanceof ReplyClient.Unavailable && e.getCause() instanceof RecordTooLargeException) {
            // The gateway's own limit is the protocol's: a broker refusing less is configured below it.
            errors.send(
                    ctx,
                    413,
                    "too_large",
                    "body: the Kafka broker refused the request as too large ("
                            + e.getCause().getMessage() + "); the protocol allows " + Protocol.MAX_VALUE_BYTES
                            + " bytes");
        } else if (e instanceof ReplyClient.Unavailable) {
            ctx.response().putHeader("Retry-After", "1");
            errors.send(ctx, 503, "unavailable", e.getMessage());
        } else if (!(e instanceof ReplyClient.Cancelled)) {
            errors.send(ctx, 500, "internal", String.valueOf(e));
        }
    }
}
