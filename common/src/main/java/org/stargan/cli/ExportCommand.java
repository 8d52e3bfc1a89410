package org.stargan.cli;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.stargan.ckpt.HostTensor;
import org.stargan.ckpt.ModelInfo;
import org.stargan.ckpt.OfficialExport;
import org.stargan.ckpt.SafeTensors;
import org.stargan.ckpt.StateDicts;
import org.stargan.ckpt.TorchCheckpointReader;
import org.stargan.ckpt.TorchCheckpointWriter;
import org.stargan.ckpt.TrainingCheckpoint;
import org.stargan.nn.Discriminator;
import org.stargan.nn.Generator;

/** {@code stargan export}: converts a checkpoint to the official PyTorch format or to this project's safetensors. */
final class ExportCommand {
    static final String USAGE = """
            usage: stargan export --checkpoint IN --format torch|safetensors --output FILE [--network G|D|G.ema]

              --checkpoint IN   a generator or discriminator checkpoint (official *.ckpt, this project's
                                .safetensors) or a training state (then --network picks the network)
              --format F        torch: a zip-format state_dict that the official code's load_state_dict (strict)
                                accepts, buffers included; safetensors: this project's format
              --output FILE     where to write (atomically)
              --network N       which network of a training state to export: G (default), D, or G.ema (the moving
                                average of G's weights that a run with --g-ema-beta keeps, and writes as its
                                <i>-G.safetensors)
            """;

    private ExportCommand() {}

    static int run(List<String> args, PrintStream out, PrintStream err) throws IOException {
        if (args.contains("--help") || args.contains("-h")) {
            out.print(USAGE);
            return 0;
        }
        Options o = Options.parse("export", args, Set.of("checkpoint", "format", "output", "network"), Set.of());
        String in = o.string("checkpoint", null);
        String format = o.string("format", null);
        String output = o.string("output", null);
        if (in == null || format == null || output == null) {
            throw new Options.UsageException(
                    "export: --checkpoint, --format and --output are required (see stargan export --help)");
        }
        if (!format.equals("torch") && !format.equals("safetensors")) {
            throw new Options.UsageException("export: --format '" + format + "', expected torch or safetensors");
        }
        String network = o.string("network", "G");
        List<String> networks = TrainingCheckpoint.NETWORKS;
        if (!networks.contains(network)) {
            throw new Options.UsageException("export: --network '" + network + "', expected "
                    + String.join(", ", networks.subList(0, networks.size() - 1)) + " or "
                    + networks.get(networks.size() - 1));
        }
        Path inPath = Path.of(in);
        String source = inPath.getFileName().toString();
        Map<String, HostTensor> tensors;
        Map<String, String> metadata = Map.of();
        if (!java.nio.file.Files.isRegularFile(inPath)) {
            throw new Options.UsageException("export: --checkpoint " + in + ": no such file");
        }
        if (SafeTensors.looksLike(inPath)) {
            SafeTensors.Contents c = SafeTensors.read(inPath);
            tensors = c.tensors();
            metadata = c.metadata();
            if (tensors.keySet().stream().anyMatch(k -> k.startsWith("G/"))) {
                tensors = TrainingCheckpoint.section(tensors, network + "/");
                if (tensors.isEmpty()) {
                    throw new Options.UsageException(
                            "export: --network " + network + ": " + source + " holds no such network ("
                                    + TrainingCheckpoint.AVERAGE + " exists only in states of runs with --g-ema-beta)");
                }
            }
        } else {
            tensors = TorchCheckpointReader.read(inPath);
        }
        boolean discriminator = tensors.containsKey("conv1.weight");
        Map<String, HostTensor> weights = discriminator
                ? StateDicts.validate(
                        tensors, Discriminator.parameterShapes(StateDicts.inferDiscriminator(tensors, source)), source)
                : StateDicts.validate(
                        tensors, Generator.parameterShapes(StateDicts.inferGenerator(tensors, source)), source);
        Path outPath = Path.of(output);
        if (format.equals("torch")) {
            TorchCheckpointWriter.write(outPath, OfficialExport.entries(weights));
        } else {
            Map<String, String> meta =
                    new LinkedHashMap<>(ModelInfo.fromMetadata(metadata, source).toMetadata());
            meta.put("stargan.network", discriminator ? "discriminator" : "generator");
            SafeTensors.write(outPath, weights, meta);
        }
        long params =
                weights.values().stream().mapToLong(t -> t.values().length).sum();
        err.printf(
                "exported %s (%d tensors, %,d parameters) from %s to %s (%s)%n",
                discriminator ? "discriminator" : "generator", weights.size(), params, source, outPath, format);
        return 0;
    }
}
