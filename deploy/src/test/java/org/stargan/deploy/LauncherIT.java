package org.stargan.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;

/**
 * {@code ./stargan} as a newcomer runs it, from the repository root, once every module is packaged (this class runs in
 * the integration-test phase): every command and benchmark the launcher lists answers {@code --help} with its usage,
 * and the README's quick commands run as written. The launcher is told not to build ({@code STARGAN_NO_BUILD}): this
 * runs inside the build that made its jars.
 */
class LauncherIT {
    private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();

    /** What the README's fenced blocks run that takes minutes or runs until stopped: named, not run. */
    private static final Pattern LONG_RUNNING = Pattern.compile(
            "^\\./stargan (demo|kafka|gateway|inference-worker|trainer-worker|train|train-classifier|eval|bench)(\\s|$)");

    /**
     * Commands that need what a seconds-long run here has not: a broker (announce, topics) or a container engine with a
     * base image to pull (images; ComposeDeploymentIT builds the images from a local base instead).
     */
    private static final Pattern NEEDS_SERVICES = Pattern.compile("^\\./stargan (announce|topics|images)(\\s|$)");

    private record Run(int exit, String out, String err) {}

    private static Run run(String commandLine) throws IOException, InterruptedException {
        Path out = Files.createTempFile("launcher-out", ".txt");
        Path err = Files.createTempFile("launcher-err", ".txt");
        try {
            ProcessBuilder pb = new ProcessBuilder("bash", "-c", commandLine)
                    .directory(ROOT.toFile())
                    .redirectOutput(out.toFile())
                    .redirectError(err.toFile());
            pb.environment().put("STARGAN_NO_BUILD", "1");
            Process p = pb.start();
            if (!p.waitFor(180, TimeUnit.SECONDS)) {
                p.descendants().forEach(ProcessHandle::destroyForcibly);
                p.destroyForcibly();
                throw new AssertionError(commandLine + ": still running after 180 s");
            }
            return new Run(
                    p.exitValue(),
                    Files.readString(out, StandardCharsets.UTF_8),
                    Files.readString(err, StandardCharsets.UTF_8));
        } finally {
            Files.deleteIfExists(out);
            Files.deleteIfExists(err);
        }
    }

    /** The names listed under {@code heading} in a usage text: each indented line's first word. */
    private static List<String> listed(String usage, String heading) {
        List<String> names = new ArrayList<>();
        boolean in = false;
        for (String line : usage.split("\n")) {
            if (line.equals(heading)) {
                in = true;
            } else if (in && line.isBlank()) {
                break;
            } else if (in && line.matches("  \\S.*")) {
                names.add(line.trim().split("\\s+")[0]);
            }
        }
        return names;
    }

    @Test
    void everyCommandAndBenchmarkAnswersHelpWithItsUsage() throws Exception {
        Run top = run("./stargan --help");
        assertThat(top.exit()).as(top.err()).isZero();
        List<String> commands = listed(top.out(), "commands:");
        assertThat(commands)
                .contains(
                        "demo",
                        "synth",
                        "train",
                        "test",
                        "train-classifier",
                        "eval",
                        "translate",
                        "export",
                        "bench",
                        "inference-worker",
                        "trainer-worker",
                        "gateway",
                        "api-key",
                        "kafka");
        Run bench = run("./stargan bench --help");
        assertThat(bench.exit()).as(bench.err()).isZero();
        List<String> benchmarks = listed(bench.out(), "benchmarks:");
        assertThat(benchmarks)
                .containsExactlyInAnyOrder("g-forward", "train-step", "loader", "face", "codec", "serve", "gateway");
        List<String> all = new ArrayList<>(commands);
        benchmarks.forEach(b -> all.add("bench " + b));
        for (String command : all) {
            Run help = run("./stargan " + command + " --help");
            assertThat(help.exit())
                    .as("./stargan %s --help exit status; stderr: %s", command, help.err())
                    .isZero();
            assertThat(help.out()).as(command).startsWith("usage: stargan " + command);
            if (!command.equals("bench")) {
                // The options come from the command's table: every listed one is "--name", under a heading.
                assertThat(help.out()).as(command).containsPattern("(?m)^\\S[^\\n]*:\\n  --[a-z]");
            }
        }
    }

    @Test
    void theReadmesQuickCommandsRunAsWritten() throws Exception {
        List<String> commands = readmeCommands();
        Path tryDir = ROOT.resolve("runs/try");
        // What a command left last time must not pass for what it writes now.
        org.stargan.process.FileTree.delete(tryDir);
        List<String> ran = new ArrayList<>();
        for (String command : commands) {
            if (LONG_RUNNING.matcher(command).find()
                    || NEEDS_SERVICES.matcher(command).find()
                    || largeSynth(command)) {
                continue;
            }
            Run r = run(command);
            assertThat(r.exit())
                    .as("README command `%s` exit status; stderr:%n%s", command, r.err())
                    .isZero();
            assertThat(r.err()).as(command).doesNotContain("Exception", "WARN", "NNPACK");
            ran.add(command);
        }
        // The first screen's examples are among them, and did what they say.
        assertThat(ran).anyMatch(c -> c.contains("translate") && c.contains("runs/try/blond.png"));
        assertThat(ran).anyMatch(c -> c.startsWith("./stargan test "));
        assertThat(ran.size()).as("README commands run: %s", ran).isGreaterThanOrEqualTo(5);
        BufferedImage blond = ImageIO.read(tryDir.resolve("blond.png").toFile());
        assertThat(blond.getWidth()).isEqualTo(48);
        BufferedImage grid = ImageIO.read(tryDir.resolve("all-domains.png").toFile());
        assertThat(grid.getWidth()).as("input and 5 domains").isEqualTo(6 * 48);
        try (Stream<Path> grids = Files.list(tryDir.resolve("results"))) {
            Path first = grids.sorted().findFirst().orElseThrow();
            // The test split in every domain at the model's own size (48 px), not the default 128.
            assertThat(ImageIO.read(first.toFile()).getWidth()).isEqualTo(6 * 48);
        }
        assertThat(Files.size(tryDir.resolve("synthetic48-G.ckpt"))).isGreaterThan(1_000_000);
    }

    /** Every {@code ./stargan} command in the README's fenced code blocks, continuation lines joined. */
    private static List<String> readmeCommands() throws IOException {
        List<String> commands = new ArrayList<>();
        boolean fenced = false;
        StringBuilder pending = null;
        for (String line : Files.readAllLines(ROOT.resolve("README.md"), StandardCharsets.UTF_8)) {
            if (line.startsWith("```")) {
                fenced = !fenced;
                continue;
            }
            if (!fenced) {
                continue;
            }
            String text = line.strip();
            if (pending == null && text.startsWith("./stargan ")) {
                pending = new StringBuilder();
            }
            if (pending != null) {
                boolean continues = text.endsWith("\\");
                pending.append(continues ? text.substring(0, text.length() - 1) : text)
                        .append(' ');
                if (!continues) {
                    commands.add(pending.toString().trim().replaceAll("\\s+", " "));
                    pending = null;
                }
            }
        }
        assertThat(commands).as("./stargan commands in README.md's code blocks").isNotEmpty();
        return commands;
    }

    /** {@code synth} of more than 1,000 faces takes longer than seconds (the recipes' 10,000: a minute and more). */
    private static boolean largeSynth(String command) {
        Matcher m = Pattern.compile("^\\./stargan synth .*--count (\\d+)").matcher(command);
        return m.find() && Integer.parseInt(m.group(1)) > 1000;
    }
}
