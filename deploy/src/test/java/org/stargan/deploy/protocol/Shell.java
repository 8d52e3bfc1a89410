package org.stargan.deploy.protocol;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/** Runs a documented command line in bash, in a working directory, with kcat's directory first on the PATH. */
final class Shell {
    private final Path binDir;
    private final Path workDir;
    private final String broker;

    /** What a command printed and its exit status. */
    record Result(int status, String stdout, String stderr) {}

    Shell(Path binDir, Path workDir, String broker) {
        this.binDir = binDir;
        this.workDir = workDir;
        this.broker = broker;
    }

    /** Runs {@code command} (at most 60 s). */
    Result run(String command) throws IOException, InterruptedException {
        Path err = Files.createTempFile(workDir, "stderr", ".txt");
        try {
            ProcessBuilder pb = new ProcessBuilder("bash", "-c", command)
                    .directory(workDir.toFile())
                    .redirectError(err.toFile());
            pb.environment().put("PATH", binDir + ":" + pb.environment().getOrDefault("PATH", "/usr/bin:/bin"));
            Process p = pb.start();
            p.getOutputStream().close();
            byte[] out = p.getInputStream().readAllBytes();
            boolean ended = p.waitFor(60, TimeUnit.SECONDS);
            if (!ended) {
                p.destroyForcibly();
            }
            return new Result(
                    ended ? p.exitValue() : -1,
                    new String(out, StandardCharsets.UTF_8),
                    (ended ? "" : "(timed out after 60 s) ") + Files.readString(err));
        } finally {
            Files.deleteIfExists(err);
        }
    }

    /** Runs {@code command} again until it prints a line (as the document says to), for at most {@code seconds}. */
    String runUntilItPrints(String command, int seconds) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + seconds * 1_000_000_000L;
        Result last = null;
        while (System.nanoTime() < deadline) {
            last = run(command);
            String line =
                    last.stdout().lines().filter(l -> !l.isBlank()).findFirst().orElse("");
            if (!line.isEmpty()) {
                return line;
            }
            Thread.sleep(500);
        }
        throw new AssertionError("against " + broker + ", '" + command + "' printed nothing within " + seconds
                + " s; last run: " + last);
    }
}
