package org.stargan.deploy.containers;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * {@code deploy/compose.yaml} run by Debian's podman-compose under one project name: build, up, the container of a
 * service, kill, and down (which also saves every container's log under {@code target/compose-logs/}). podman-compose
 * 1.0.3 gets {@code deploy/podman/podman-compose-host-net} as its podman (see that script for why).
 */
final class ComposeStack implements AutoCloseable {
    /** The services the tests start: the monitoring profile's images come from a registry, which is not reachable. */
    static final List<String> SERVICES = List.of("kafka", "gateway", "inference", "inference-2", "trainer");

    private final Podman podman;
    private final String project;
    private final Map<String, String> env;

    /** The stack {@code project} with {@code env} (ports, key file, base image) for compose's variables. */
    ComposeStack(Podman podman, String project, Map<String, String> env) {
        this.podman = podman;
        this.project = project;
        this.env = Map.copyOf(env);
    }

    private List<String> compose(String... args) {
        List<String> c = new ArrayList<>(List.of(
                "podman-compose",
                "--podman-path",
                podman.repo().resolve("deploy/podman/podman-compose-host-net").toString(),
                "-p",
                project,
                "-f",
                "deploy/compose.yaml"));
        c.addAll(List.of(args));
        return c;
    }

    private String run(Duration timeout, List<String> command) throws IOException, InterruptedException {
        Podman.Result r = podman.run(command, env, timeout);
        // podman-compose 1.0.3 carries on after a failed podman call and exits 0: its output says "exit code: N".
        if (r.exit() == 0 && r.output().lines().anyMatch(l -> l.matches("exit code: [1-9][0-9]*"))) {
            throw new IllegalStateException(
                    String.join(" ", command) + " had a failing step:\n" + Podman.tail(r.output(), 6000));
        }
        return r.orThrow(command);
    }

    /** Builds every image of the stack (compose's build sections), then drops the images the new ones replaced. */
    void build() throws IOException, InterruptedException {
        run(Duration.ofMinutes(15), compose("build"));
        // Each run's images replace the last run's, which stay behind untagged (~2.5 GB) until pruned.
        podman.podman(Duration.ofMinutes(2), "image", "prune", "--force");
    }

    /** Starts {@link #SERVICES} in the background. */
    void up() throws IOException, InterruptedException {
        List<String> c = new ArrayList<>(List.of("up", "-d"));
        c.addAll(SERVICES);
        run(Duration.ofMinutes(5), compose(c.toArray(String[]::new)));
    }

    /** The id of {@code service}'s container (running or not). */
    String container(String service) throws IOException, InterruptedException {
        String id = podman.podman(
                Duration.ofSeconds(30),
                "ps",
                "-a",
                "-q",
                "--filter",
                "label=com.docker.compose.project=" + project,
                "--filter",
                "label=com.docker.compose.service=" + service);
        if (id.isEmpty() || id.contains("\n")) {
            throw new IllegalStateException("expected one container of service " + service + ", found '" + id + "'");
        }
        return id;
    }

    /** Sends SIGKILL to {@code service}'s container: no shutdown hook, no leaving the consumer group. */
    void kill(String service) throws IOException, InterruptedException {
        podman.podman(Duration.ofSeconds(30), "kill", "--signal", "KILL", container(service));
    }

    /** The last {@code chars} of a service's log. */
    String logTail(String service, int chars) {
        try {
            return Podman.tail(podman.podman(Duration.ofSeconds(30), "logs", container(service)), chars);
        } catch (Exception e) {
            return "(no log: " + e.getMessage() + ")";
        }
    }

    /** Saves the logs, then removes the containers and volumes. */
    @Override
    public void close() throws IOException, InterruptedException {
        Path dir = podman.repo().resolve("deploy/target/compose-logs");
        Files.createDirectories(dir);
        for (String s : SERVICES) {
            Files.writeString(dir.resolve(s + ".log"), logTail(s, 1 << 20));
        }
        down();
    }

    /** Removes the project's containers and volumes (also what a killed earlier run left). */
    void down() throws IOException, InterruptedException {
        podman.run(compose("down", "-v"), env, Duration.ofMinutes(3));
    }
}
