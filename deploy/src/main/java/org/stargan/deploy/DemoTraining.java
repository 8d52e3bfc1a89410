package org.stargan.deploy;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/**
 * The demo's training run: a job that visibly learns while someone watches. Measured on a shared 2-core machine (see
 * README, "Train a small model"): with these settings the sample grids show faces after about 250 iterations and the
 * hair colours (blond and black columns) from about 500, a few minutes in; the official settings (n_critic 5, no
 * identity term, learning rate 1e-4) still drew noise after 600.
 */
final class DemoTraining {
    /** The model name its checkpoints are announced under: the web UI lists it as what it is. */
    static final String MODEL = "training-preview";

    static final int ITERATIONS = 2000;

    private DemoTraining() {}

    /**
     * The job as POSTed to the gateway: 32 px synthetic faces, small networks (G conv 16 with 2 residual blocks, D conv
     * 16 with 4 layers), a G update every iteration (n_critic 1), the identity term (so that faces appear early and
     * the colours around them stay) and twice the official learning rate; a sample grid every 100 iterations.
     */
    static String job(String jobId) {
        return """
                {"job_id": "%s", "requested_by": "demo", "model": "%s",
                 "synthetic": {"count": 1000, "size": 32, "seed": 1},
                 "options": {"image-size": 32, "g-conv-dim": 16, "d-conv-dim": 16, "g-repeat-num": 2, "d-repeat-num": 4,
                             "batch-size": 8, "n-critic": 1, "lambda-id": 10, "g-lr": 0.0002, "d-lr": 0.0002,
                             "num-iters": %d, "num-iters-decay": 1000, "log-step": 10, "sample-step": 100,
                             "model-save-step": 500}}
                """.formatted(jobId, MODEL, ITERATIONS);
    }

    /** Submits the job through the gateway, as any user's job; an exception says why the gateway refused it. */
    static void submit(HttpClient http, int port, String adminKey, String jobId)
            throws IOException, InterruptedException {
        HttpResponse<String> submitted = http.send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/v1/training-jobs"))
                        .header("Content-Type", "application/json")
                        .header("X-API-Key", adminKey)
                        .timeout(Duration.ofSeconds(30))
                        .POST(HttpRequest.BodyPublishers.ofString(job(jobId)))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        if (submitted.statusCode() / 100 != 2) {
            throw new IllegalStateException(
                    "the gateway refused the demo's training job: " + submitted.statusCode() + " " + submitted.body());
        }
    }

    /**
     * What the demo prints once it is up: where everything is, with the key in the training page's link (after
     * {@code #}, so that it never reaches a server or a log) and a translation to try with a sample face.
     */
    static String banner(
            double seconds,
            int port,
            String jobId,
            String adminKey,
            String sampleFace,
            int inferenceMetricsPort,
            int trainerMetricsPort,
            String bootstrap,
            String dir) {
        String url = "http://127.0.0.1:" + port;
        StringBuilder s = new StringBuilder();
        s.append(String.format("%nStarGAN demo is up in %.0f s%n", seconds));
        s.append(String.format("  web UI           %s/            (translation is open to this machine)%n", url));
        if (jobId != null) {
            s.append(String.format(
                    "  training page    %s/training.html?job=%s#key=%s%n"
                            + "                   (a training run on 32 px faces: the sample grids show hair colours "
                            + "after ~500 of its %d iterations)%n",
                    url, jobId, adminKey, ITERATIONS));
        }
        s.append(String.format("  admin API key    %s   (the training page and routes; header X-API-Key)%n", adminKey));
        s.append(String.format(
                "  translate        curl -s -H 'Content-Type: image/png' --data-binary @%s \\%n"
                        + "                     '%s/v1/translations?target=Blond_Hair=1' > blond.png%n",
                sampleFace, url));
        if (jobId != null) {
            s.append(String.format(
                    "  training events  curl -N -H 'X-API-Key: %s' %s/v1/training-jobs/%s/events%n",
                    adminKey, url, jobId));
        }
        s.append(String.format(
                "  metrics          http://127.0.0.1:%d/metrics (inference), :%d/metrics (trainer), %s/metrics "
                        + "(gateway)%n",
                inferenceMetricsPort, trainerMetricsPort, url));
        s.append(String.format("  Kafka            %s   (topics stargan.*; docs/protocol.md)%n", bootstrap));
        s.append(String.format("  files            %s%n", dir));
        s.append("Ctrl-C stops everything.\n");
        return s.toString();
    }
}
