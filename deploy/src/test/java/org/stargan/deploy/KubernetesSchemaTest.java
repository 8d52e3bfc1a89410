package org.stargan.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The Kubernetes manifests against the schemas of the objects they declare — Kubernetes itself, Strimzi's Kafka,
 * KafkaNodePool and KafkaTopic, KEDA's ScaledObject — through the npm packages kubernetes-models,
 * {@code @kubernetes-models/strimzi-kafka-operator} and {@code @kubernetes-models/keda} ({@code src/test/k8s/}, whose
 * lock file pins them; installed on first use with {@code npm ci}). They check types, required fields and enums;
 * unknown fields pass (no cluster's strict decoding here).
 */
class KubernetesSchemaTest {
    private static final Path CHECKER = Path.of("src/test/k8s").toAbsolutePath();

    @Test
    void everyManifestMatchesTheSchemaOfItsKind() throws Exception {
        for (String tool : List.of("node", "npm")) {
            assertThat(onPath(tool))
                    .as(tool
                            + " on the PATH: the schema check runs on Node.js 20+ (Debian: apt-get install nodejs npm)")
                    .isTrue();
        }
        if (!Files.isDirectory(CHECKER.resolve("node_modules"))) {
            Result install = run(List.of("npm", "ci", "--no-audit", "--no-fund"), 300);
            assertThat(install.exit())
                    .as("npm ci in " + CHECKER + ":\n" + install.output())
                    .isZero();
        }
        List<String> command = new ArrayList<>(List.of("node", "validate.mjs"));
        try (Stream<Path> files = Files.list(Path.of("k8s"))) {
            files.filter(f -> f.toString().endsWith(".yaml"))
                    .sorted()
                    .forEach(f -> command.add(f.toAbsolutePath().toString()));
        }
        Result r = run(command, 120);
        System.out.print(r.output());
        assertThat(r.exit()).as(r.output()).isZero();
        // One line per document: every object was checked, none skipped.
        assertThat(r.output().lines().filter(l -> l.startsWith("ok ")).count()).isGreaterThanOrEqualTo(19);
    }

    private record Result(int exit, String output) {}

    private static Result run(List<String> command, long seconds) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command)
                .directory(CHECKER.toFile())
                .redirectErrorStream(true)
                .start();
        byte[] out = p.getInputStream().readAllBytes();
        if (!p.waitFor(seconds, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IllegalStateException(command + " did not finish within " + seconds + " s");
        }
        return new Result(p.exitValue(), new String(out, StandardCharsets.UTF_8));
    }

    private static boolean onPath(String tool) {
        for (String dir : System.getenv().getOrDefault("PATH", "/usr/bin").split(":")) {
            if (Files.isExecutable(Path.of(dir, tool))) {
                return true;
            }
        }
        return false;
    }
}
