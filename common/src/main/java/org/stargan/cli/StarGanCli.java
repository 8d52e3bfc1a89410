package org.stargan.cli;

import java.io.PrintStream;
import java.util.Arrays;
import java.util.List;
import org.stargan.options.OptionException;

/** Entry point of {@code ./stargan}: dispatches to the commands that run the StarGAN core directly, without Kafka. */
public final class StarGanCli {
    static final String USAGE = """
            usage: stargan <command> [options]     (stargan <command> --help for its options)

            Start with `./stargan demo` and open http://127.0.0.1:8080/ (README.md says more).

            commands:
              demo       everything on this machine: local Kafka, gateway + web UI on :8080, inference and trainer
                         workers, the default model, a short training run to watch; Ctrl-C stops it all
              synth      write synthetic faces (CelebA and RaFD formats) whose true translations are known
              train      train StarGAN (official options and outputs)
              test       the official test mode: the test split translated into every domain, as grids
              train-classifier  train the domain classifier that eval uses as a judge
              eval       measure a generator: target-domain accuracy, reconstruction, L1/PSNR to ground truth
              translate  translate an image or an .npy batch with a generator checkpoint (official or this project's);
                         photos: --crop face (faces found and aligned as CelebA's) and --paste (back into the photo)
              export     convert a checkpoint to the official PyTorch format or to safetensors
              device     check a device (--device cuda:0) as the workers do and print the libtorch and GPUs in use
              bench      time G's forward pass or a training iteration, optionally against PyTorch eager;
                         `bench face` a photo's face detection, alignment and paste-back;
                         `bench serve` times requests through a real broker and an inference worker,
                         `bench gateway` HTTP requests through the gateway as well
              inference-worker   run an inference worker (Kafka consumer, dynamic batching, hot reload)
              announce   publish a generator checkpoint on the model registry (an official *-G.ckpt with its
                         --domains): every inference worker loads it
              trainer-worker     run a trainer worker (training jobs from Kafka, events, checkpoints, resume)
              gateway    run the HTTP API (translations and training jobs over Kafka)
              api-key    make a gateway API key: prints it once, stores only its hash
              kafka      run a local Kafka broker in the foreground
            """;

    /** The commands USAGE lists (the launcher runs some of them itself), for "did you mean". */
    private static final List<String> COMMANDS = USAGE.lines()
            .filter(l -> l.matches("  [a-z][a-z-]+ .*"))
            .map(l -> l.trim().split("\\s+")[0])
            .toList();

    private StarGanCli() {}

    /** {@code see ./stargan train --help}, or {@code bench g-forward} for a benchmark. */
    private static String helpHint(List<String> args) {
        String command = args.get(0);
        if (command.equals("bench")
                && args.size() > 1
                && List.of("g-forward", "train-step", "loader").contains(args.get(1))) {
            command += " " + args.get(1);
        }
        return "see ./stargan " + command + " --help";
    }

    /** Runs a command; exits with its status (0 ok, 1 failure, 2 usage error). */
    public static void main(String[] args) {
        System.exit(run(Arrays.asList(args), System.out, System.err));
    }

    static int run(List<String> args, PrintStream out, PrintStream err) {
        if (args.isEmpty()
                || args.get(0).equals("--help")
                || args.get(0).equals("-h")
                || args.get(0).equals("help")) {
            out.print(USAGE);
            return args.isEmpty() ? 2 : 0;
        }
        String command = args.get(0);
        List<String> rest = args.subList(1, args.size());
        try {
            return switch (command) {
                case "bench" -> BenchCommand.run(rest, out, err);
                case "translate" -> TranslateCommand.run(rest, out, err);
                case "synth" -> SynthCommand.run(rest, out, err);
                case "train" -> TrainCommand.run(rest, out, err);
                case "test" -> EvalCommands.test(rest, out, err);
                case "train-classifier" -> EvalCommands.trainClassifier(rest, out, err);
                case "eval" -> EvalCommands.eval(rest, out, err);
                case "export" -> ExportCommand.run(rest, out, err);
                case "device" -> DeviceCommand.run(rest, out, err);
                default -> {
                    String near = org.stargan.options.OptionTable.closest(command, COMMANDS);
                    err.println("stargan: unknown command '" + command + "'"
                            + (near == null ? "" : "; did you mean " + near + "?"));
                    err.print(USAGE);
                    yield 2;
                }
            };
        } catch (OptionException e) {
            err.println("stargan " + e.getMessage());
            err.println("(" + helpHint(args) + ")");
            return 2;
        } catch (org.stargan.ckpt.CheckpointFormatException | IllegalArgumentException e) {
            err.println("stargan " + command + ": " + e.getMessage());
            return 1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            err.println("stargan " + command + ": interrupted");
            return 1;
        } catch (Exception e) {
            err.println("stargan " + command + ": " + e.getMessage());
            return 1;
        }
    }
}
