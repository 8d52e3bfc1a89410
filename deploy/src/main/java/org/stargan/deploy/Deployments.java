package org.stargan.deploy;

import io.vertx.core.Deployable;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

/** What the demo and the benchmarks do alike when they run the services in one JVM. */
public final class Deployments {
    private Deployments() {}

    /** Deploys {@code verticle} with {@code config}, waiting up to 5 minutes (a model may load); fails naming the verticle. */
    public static void deploy(Vertx vertx, Deployable verticle, JsonObject config)
            throws InterruptedException, java.util.concurrent.TimeoutException {
        try {
            vertx.deployVerticle(verticle, new DeploymentOptions().setConfig(config))
                    .toCompletionStage()
                    .toCompletableFuture()
                    .get(5, TimeUnit.MINUTES);
        } catch (ExecutionException e) {
            throw new IllegalStateException(
                    "could not start " + verticle.getClass().getSimpleName() + ": "
                            + e.getCause().getMessage(),
                    e.getCause());
        }
    }
}
