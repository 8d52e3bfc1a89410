package org.stargan.cli;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
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
import org.stargan.options.Option;
import org.stargan.options.OptionException;
import org.stargan.options.OptionTable;
import org.stargan.options.OptionValues;

/** {@code stargan export}: converts a checkpoint to the official PyTorch format or to this project's safetensors. */
final class ExportCommand {
    static final OptionTable TABLE = new OptionTable(
            "export",
            List.of(
                    Option.path(
                            "checkpoint",
                            "IN",
                            "a generator or discriminator checkpoint (official *.ckpt, this project's .safetensors) or a "
                                    + "training state <i>-state.safetensors (then --network picks the network) (required)"),
                    Option.choice(
                                    "format",
                                    List.of("torch", "safetensors"),
                                    "torch: a zip-format state_dict that the official code's load_state_dict (strict) "
                                            + "accepts, buffers included; safetensors: this project's format")
                            .defaultDescribed("safetensors for an --output ending in .safetensors, else torch"),
                    Option.path("output", "FILE", "where to write (atomically) (required)"),
                    Option.choice(
                                    "network",
                                    TrainingCheckpoint.NETWORKS,
                                    "which network of a training state to export: G, D, or G.ema (the moving average of "
                                            + "G's weights that a run with --g-ema-beta keeps, and writes as its "
                                            + "<i>-G.safetensors); a single network's file is exported as it is")
                            .defaultDescribed("G for a training state, the file's own network otherwise")));

    static final String USAGE =
            TABLE.help("export --checkpoint IN --output FILE [--format torch|safetensors] [--network G|D|G.ema]", """
            Converts a checkpoint: to the official PyTorch format (weights move back to the official code), or to this
            project's safetensors. For example, the demo's model as an official checkpoint:

              ./stargan export --checkpoint deploy/models/synthetic48-G.safetensors --output runs/synthetic48-G.ckpt""");

    private ExportCommand() {}

    static int run(List<String> args, PrintStream out, PrintStream err) throws IOException {
        if (OptionTable.asksForHelp(args)) {
            out.print(USAGE);
            return 0;
        }
        OptionValues o = TABLE.parse(args);
        String in = (String) o.required("checkpoint");
        String output = (String) o.required("output");
        String format = o.has("format")
                ? o.text("format")
                : output.toLowerCase(java.util.Locale.ROOT).endsWith(".safetensors") ? "safetensors" : "torch";
        String network = o.has("network") ? o.text("network") : "G";
        Path inPath = Path.of(in);
        String source = inPath.getFileName().toString();
        Map<String, HostTensor> tensors;
        Map<String, String> metadata = Map.of();
        if (!java.nio.file.Files.isRegularFile(inPath)) {
            throw new OptionException("export: --checkpoint " + in + ": no such file");
        }
        boolean state = false;
        if (SafeTensors.looksLike(inPath)) {
            SafeTensors.Contents c = SafeTensors.read(inPath);
            tensors = c.tensors();
            metadata = c.metadata();
            state = tensors.keySet().stream().anyMatch(k -> k.startsWith("G/"));
            if (state) {
                tensors = TrainingCheckpoint.section(tensors, network + "/");
                if (tensors.isEmpty()) {
                    throw new OptionException(
                            "export: --network " + network + ": " + source + " holds no such network ("
                                    + TrainingCheckpoint.AVERAGE + " exists only in states of runs with --g-ema-beta)");
                }
            }
        } else {
            tensors = TorchCheckpointReader.read(inPath);
        }
        boolean discriminator = tensors.containsKey("conv1.weight");
        if (!state && o.has("network") && !network.equals(discriminator ? "D" : "G")) {
            // A single network's file holds what it holds: exporting it under another network's name would mislead.
            throw new OptionException("export: --network " + network + ", but " + source + " holds only a "
                    + (discriminator ? "discriminator (D)" : "generator (G)") + "; --network picks a network of a "
                    + "training state (<i>-state.safetensors); leave it out to export this file's network");
        }
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
