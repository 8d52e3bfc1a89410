package org.stargan.deploy.containers;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Runs podman (and podman-compose) the way the container tests need: with the project's podman settings
 * ({@code deploy/podman/containers.conf} through {@code CONTAINERS_CONF}, so nothing in /etc is changed), each command
 * bounded in time, its output kept for the failure message.
 */
final class Podman {
    /** The Debian packages the container tests need. */
    static final String PACKAGES = "podman buildah runc debootstrap podman-compose";

    private final Path repo;

    /** Podman for the repository at {@code repo}. */
    Podman(Path repo) {
        this.repo = repo;
    }

    /** The repository root. */
    Path repo() {
        return repo;
    }

    /** A command's exit status and its output (standard output and error together). */
    record Result(int exit, String output) {
        /** The output, or an {@link IllegalStateException} with it when the command failed. */
        String orThrow(List<String> command) {
            if (exit != 0) {
                throw new IllegalStateException(
                        String.join(" ", command) + " exited with " + exit + ":\n" + tail(output, 4000));
            }
            return output;
        }
    }

    /**
     * Fails, naming the Debian packages, unless every tool the container tests need is installed: they must never
     * pass by skipping.
     */
    static void requireTools() {
        List<String> missing = new ArrayList<>();
        for (String tool : List.of("podman", "podman-compose", "runc", "debootstrap")) {
            boolean found = false;
            // debootstrap is in /usr/sbin, which not every root PATH names (local-base.sh adds it).
            for (String dir : (System.getenv().getOrDefault("PATH", "/usr/bin") + ":/usr/sbin:/sbin").split(":")) {
                found |= Files.isExecutable(Path.of(dir, tool));
            }
            if (!found) {
                missing.add(tool);
            }
        }
        if (!missing.isEmpty()) {
            throw new IllegalStateException("the container tests need " + missing + " on the PATH: install Debian's "
                    + PACKAGES + " (apt-get install " + PACKAGES + "; .ci/run does)");
        }
    }

    /** The environment every podman command gets: the project's podman settings. */
    Map<String, String> environment() {
        return Map.of(
                "CONTAINERS_CONF", repo.resolve("deploy/podman/containers.conf").toString());
    }

    /** Runs {@code command} in the repository root with {@code env} added, failing after {@code timeout}. */
    Result run(List<String> command, Map<String, String> env, Duration timeout)
            throws IOException, InterruptedException {
        ProcessBuilder pb = new ProcessBuilder(command).directory(repo.toFile()).redirectErrorStream(true);
        pb.environment().putAll(environment());
        pb.environment().putAll(env);
        Path log = Files.createTempFile("podman", ".log");
        try {
            pb.redirectOutput(log.toFile());
            Process p = pb.start();
            if (!p.waitFor(timeout.toSeconds(), TimeUnit.SECONDS)) {
                p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
                throw new IllegalStateException(String.join(" ", command) + " did not finish within "
                        + timeout.toSeconds() + " s:\n" + tail(Files.readString(log, StandardCharsets.UTF_8), 4000));
            }
            return new Result(p.exitValue(), Files.readString(log, StandardCharsets.UTF_8));
        } finally {
            Files.deleteIfExists(log);
        }
    }

    /** {@code podman ARGS...}, which must succeed within {@code timeout}; returns its output. */
    String podman(Duration timeout, String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of("podman"));
        command.addAll(List.of(args));
        return run(command, Map.of(), timeout).orThrow(command).strip();
    }

    /** The size of an image in bytes. */
    long imageSize(String image) throws IOException, InterruptedException {
        return Long.parseLong(podman(Duration.ofSeconds(30), "image", "inspect", "--format", "{{.Size}}", image));
    }

    static String tail(String s, int chars) {
        return s.length() <= chars ? s : "…" + s.substring(s.length() - chars);
    }
}
