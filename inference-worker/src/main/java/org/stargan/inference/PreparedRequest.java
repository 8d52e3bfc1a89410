package org.stargan.inference;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.function.Supplier;
import org.stargan.data.ImageCodec;
import org.stargan.face.FaceDetector;
import org.stargan.face.Photo;
import org.stargan.face.PhotoCrops;
import org.stargan.io.Npy;
import org.stargan.msg.FaceBox;
import org.stargan.msg.PhotoOptions;
import org.stargan.msg.Protocol;
import org.stargan.msg.TranslateRequest;
import org.stargan.msg.TranslateResult;

/**
 * A request made ready for the generator, off the event loop: its image decoded (and for a photo: faces found and
 * aligned, or the centre or whole image cropped), one {@link TranslateJob} per crop, and how the outputs become the
 * answer (the crop as an image or NPY; several faces side by side; or the photo with the translations pasted back, in
 * its own format unless {@code stargan.accept} says otherwise).
 */
final class PreparedRequest {
    private final TranslateRequest request;
    private final List<TranslateJob> jobs;
    private final PhotoCrops crops;
    private final int size;

    private PreparedRequest(TranslateRequest request, List<TranslateJob> jobs, PhotoCrops crops, int size) {
        this.request = request;
        this.jobs = jobs;
        this.crops = crops;
        this.size = size;
    }

    /**
     * Decodes and crops the request's image for {@code model}; a malformed request fails with an
     * {@link IllegalArgumentException} naming the field, a photo without a face with
     * {@link org.stargan.face.NoFaceFoundException}. {@code detector} gives this thread's face detector.
     */
    static PreparedRequest prepare(
            TranslateRequest r, LoadedModel model, long received, Supplier<FaceDetector> detector) {
        float[] base = r.labels() == null
                ? new float[model.domains().size()]
                : model.domains().parseVector(r.labels(), Protocol.LABELS);
        float[] labels = r.target() == null ? base : model.domains().applyTargets(r.target(), base, Protocol.TARGET);
        int size = model.imageSize();
        List<TranslateJob> jobs = new ArrayList<>();
        if (r.photo().equals(PhotoOptions.DEFAULT) || TranslateRequest.isNpy(r.image())) {
            // As before photos were handled: NPY used as is, PNG/JPEG centre-cropped; the square is the answer.
            float[] image;
            try {
                image = ResultEncoding.decode(r.image(), size, r.id());
            } catch (IOException e) {
                throw new IllegalArgumentException("value: " + e.getMessage());
            }
            jobs.add(new TranslateJob(r, model, image, labels, received, new CompletableFuture<>()));
            return new PreparedRequest(r, jobs, null, size);
        }
        Photo photo;
        try {
            photo = Photo.decode(r.image(), "value");
        } catch (IOException e) {
            throw new IllegalArgumentException("value: " + e.getMessage());
        }
        PhotoCrops crops = PhotoCrops.prepare(
                photo,
                r.photo(),
                size,
                r.photo().crop() == PhotoOptions.Crop.FACE ? detector.get() : null,
                Protocol.CROP + "=face",
                Protocol.CROP + "=center");
        for (int i = 0; i < crops.count(); i++) {
            jobs.add(new TranslateJob(r, model, crops.input(i), labels, received, new CompletableFuture<>()));
        }
        return new PreparedRequest(r, jobs, crops, size);
    }

    /** The generator's work: one job per crop. */
    List<TranslateJob> jobs() {
        return jobs;
    }

    /** The faces translated (empty unless the crop is a face crop). */
    List<FaceBox> faces() {
        return crops == null ? List.of() : crops.boxes();
    }

    /** The answer's encoding: {@code stargan.accept}, or for a pasted-back photo without it, the photo's own. */
    String contentType() {
        if (request.accept() != null) {
            return request.accept();
        }
        return crops.photo().format().equals("jpeg") ? Protocol.JPEG : Protocol.PNG;
    }

    /**
     * Once every job has its output: the ok result, its answer made on {@code executor} (paste-back and encoding are
     * not for the event loop). When the crops ran in several batches it reports the longest wait and batch.
     */
    CompletableFuture<TranslateResult> result(LoadedModel model, String worker, Executor executor) {
        List<CompletableFuture<TranslateJob.Output>> outputs =
                jobs.stream().map(TranslateJob::output).toList();
        return CompletableFuture.allOf(outputs.toArray(CompletableFuture[]::new))
                .thenApplyAsync(
                        v -> {
                            List<TranslateJob.Output> done = outputs.stream()
                                    .map(CompletableFuture::join)
                                    .toList();
                            byte[] bytes;
                            try {
                                bytes = answer(done);
                            } catch (IOException e) {
                                throw new UncheckedIOException(e);
                            }
                            return TranslateResult.ok(
                                            request.id(),
                                            bytes,
                                            contentType(),
                                            model.name(),
                                            model.version(),
                                            done.stream()
                                                    .mapToDouble(TranslateJob.Output::queueMs)
                                                    .max()
                                                    .orElse(0),
                                            done.stream()
                                                    .mapToDouble(TranslateJob.Output::computeMs)
                                                    .max()
                                                    .orElse(0),
                                            done.stream()
                                                    .mapToInt(TranslateJob.Output::batchSize)
                                                    .max()
                                                    .orElse(0),
                                            worker)
                                    .withFaces(faces());
                        },
                        executor);
    }

    /** The answer's bytes from the jobs' outputs (in job order). */
    byte[] answer(List<TranslateJob.Output> outputs) throws IOException {
        int plane = 3 * size * size;
        // One crop (the common case): its output is this request's own array already, no copy needed.
        float[] all;
        if (outputs.size() == 1) {
            all = outputs.get(0).image();
        } else {
            all = new float[outputs.size() * plane];
            for (int i = 0; i < outputs.size(); i++) {
                System.arraycopy(outputs.get(i).image(), 0, all, i * plane, plane);
            }
        }
        String type = contentType();
        if (crops != null && crops.options().paste()) {
            return crops.pasteBack(all).encode(type.equals(Protocol.JPEG) ? "jpeg" : "png");
        }
        if (outputs.size() == 1) {
            return ResultEncoding.encode(all, size, type);
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        if (type.equals(Protocol.NPY)) {
            Npy.write(out, Npy.Array.ofFloats(all, outputs.size(), 3, size, size));
        } else {
            // Several faces without paste-back: the translated crops side by side, largest face first.
            var strip = new java.awt.image.BufferedImage(
                    size * outputs.size(), size, java.awt.image.BufferedImage.TYPE_INT_RGB);
            var g = strip.createGraphics();
            for (int i = 0; i < outputs.size(); i++) {
                g.drawImage(ImageCodec.toImage(all, i * plane, size, size), i * size, 0, null);
            }
            g.dispose();
            ImageCodec.write(strip, type.equals(Protocol.JPEG) ? "result.jpg" : "result.png", out);
        }
        return out.toByteArray();
    }
}
