package org.stargan.inference;

import java.util.concurrent.CompletableFuture;
import org.stargan.msg.TranslateRequest;

/**
 * A decoded request waiting for its batch: the image as a tensor at the model's size, its label vector, the model
 * version it will run on, and the promise of its output.
 *
 * @param request the validated request
 * @param model the version chosen when it was accepted (in-flight work finishes on it even if a newer one loads)
 * @param image (3, S, S) in [−1, 1]
 * @param labels the label vector
 * @param enqueuedNanos when it entered the queue
 * @param output completed with the raw generator output (3, S, S) and the batch's timings
 */
public record TranslateJob(
        TranslateRequest request,
        LoadedModel model,
        float[] image,
        float[] labels,
        long enqueuedNanos,
        CompletableFuture<Output> output) {
    /**
     * A finished translation.
     *
     * @param image raw generator output (3, S, S)
     * @param queueMs time between enqueue and the batch start
     * @param computeMs time the batch took
     * @param batchSize how many requests ran together
     */
    public record Output(float[] image, double queueMs, double computeMs, int batchSize) {}
}
