package org.stargan.gateway;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.ext.web.RoutingContext;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import javax.imageio.ImageIO;
import javax.imageio.stream.ImageOutputStream;
import javax.imageio.stream.MemoryCacheImageInputStream;
import javax.imageio.stream.MemoryCacheImageOutputStream;
import org.stargan.msg.Protocol;
import org.stargan.msg.TranslateRequest;
import org.stargan.msg.TranslateResult;

/**
 * {@code all=true}: the official test grid for one image — the input, then one column per domain (each hair colour on
 * in turn, every other domain flipped from {@code labels}, default all 0) — as one image. One request per domain goes
 * to the workers; the grid is drawn (off the event loop) when all are back, and the first failure answers for all.
 */
final class DomainGrid {
    /** Makes the request for one column. */
    interface Requests {
        TranslateRequest make(TranslationRoutes.Call call, String target, String labels, String encoding);
    }

    /** A column came back as an error result. */
    private static final class WorkerError extends RuntimeException {
        private static final long serialVersionUID = 1L;
        final transient TranslateResult result;

        WorkerError(TranslateResult result) {
            super(result.message(), null, false, false);
            this.result = result;
        }
    }

    private final Vertx vertx;
    private final ReplyClient replies;
    private final ApiErrors errors;
    private final long timeoutMillis;

    DomainGrid(Vertx vertx, ReplyClient replies, ApiErrors errors, long timeoutMillis) {
        this.vertx = vertx;
        this.replies = replies;
        this.errors = errors;
        this.timeoutMillis = timeoutMillis;
    }

    /** Sends one request per domain of {@code call} and answers with the grid or the first failure. */
    void answer(RoutingContext ctx, TranslationRoutes.Call call, Requests requests) {
        float[] base = call.labels() == null
                ? new float[call.domains().size()]
                : call.domains().parseVector(call.labels(), "labels");
        List<String> ids = new ArrayList<>();
        List<Future<byte[]>> columns = new ArrayList<>();
        for (float[] target : call.domains().allDomainTargets(base)) {
            StringBuilder csv = new StringBuilder();
            for (float v : target) {
                csv.append(csv.length() == 0 ? "" : ",").append(v);
            }
            TranslateRequest r = requests.make(call, null, csv.toString(), Protocol.PNG);
            ids.add(r.id());
            columns.add(replies.send(r, timeoutMillis)
                    .compose(result -> result.isOk()
                            ? Future.succeededFuture(result.image())
                            : Future.failedFuture(new WorkerError(result))));
        }
        ctx.addEndHandler(v -> ids.forEach(replies::cancel));
        Future.all(columns)
                .onSuccess(done -> {
                    List<byte[]> images = columns.stream().map(Future::result).toList();
                    vertx.executeBlocking(() -> draw(call.image().getBytes(), images, call.encoding()), false)
                            .onSuccess(bytes -> ctx.response()
                                    .putHeader("Content-Type", call.encoding())
                                    .end(Buffer.buffer(bytes)))
                            .onFailure(e -> errors.send(ctx, 400, "bad_request", "input image: " + e.getMessage()));
                })
                .onFailure(e -> {
                    ids.forEach(replies::cancel);
                    if (e instanceof WorkerError w) {
                        TranslationRoutes.workerError(ctx, w.result, errors);
                    } else if (e instanceof ReplyClient.Timeout) {
                        errors.send(ctx, 504, "timeout", "no complete grid within " + timeoutMillis + " ms");
                    } else {
                        TranslationRoutes.failed(ctx, e, errors);
                    }
                });
    }

    /** The input (centre-cropped to a square and scaled to the results' size) then every result, side by side. */
    static byte[] draw(byte[] input, List<byte[]> columns, String encoding) throws IOException {
        List<BufferedImage> results = new ArrayList<>();
        for (byte[] c : columns) {
            results.add(read(c, "result"));
        }
        int s = results.get(0).getHeight();
        BufferedImage in = read(input, "input");
        int side = Math.min(in.getWidth(), in.getHeight());
        BufferedImage grid = new BufferedImage(s * (results.size() + 1), s, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = grid.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_BILINEAR);
        int x0 = (in.getWidth() - side) / 2;
        int y0 = (in.getHeight() - side) / 2;
        g.drawImage(in, 0, 0, s, s, x0, y0, x0 + side, y0 + side, null);
        for (int k = 0; k < results.size(); k++) {
            g.drawImage(results.get(k), (k + 1) * s, 0, null);
        }
        g.dispose();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        // In memory: ImageIO.write's default stream caches to a temporary file per image.
        try (ImageOutputStream stream = new MemoryCacheImageOutputStream(out)) {
            if (!ImageIO.write(grid, encoding.equals(Protocol.JPEG) ? "jpg" : "png", stream)) {
                throw new IOException("no image writer for " + encoding);
            }
        }
        return out.toByteArray();
    }

    private static BufferedImage read(byte[] bytes, String what) throws IOException {
        BufferedImage img = ImageIO.read(new MemoryCacheImageInputStream(new ByteArrayInputStream(bytes)));
        if (img == null) {
            throw new IOException(what + ": not a PNG or JPEG image");
        }
        return img;
    }
}
