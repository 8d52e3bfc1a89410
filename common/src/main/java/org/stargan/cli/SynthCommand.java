package org.stargan.cli;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;
import org.stargan.data.SyntheticDataset;
import org.stargan.options.Option;
import org.stargan.options.OptionTable;
import org.stargan.options.OptionValues;

/** {@code stargan synth}: writes synthetic faces with ground truth in the CelebA and RaFD formats. */
final class SynthCommand {
    static final OptionTable TABLE = new OptionTable(
            "synth",
            List.of(
                    Option.path(
                            "out",
                            "DIR",
                            "where to write: DIR/celeba/{list_attr_celeba.txt,images/}, DIR/rafd/<expression>/, "
                                    + "DIR/synthetic.properties (what `eval` needs to re-render any image in any "
                                    + "domain) (required)"),
                    Option.integer("count", "CelebA-style images, and as many RaFD-style")
                            .atLeast(1)
                            .atMost(10_000_000)
                            .byDefault(10_000),
                    Option.integer("size", "image side in pixels")
                            .atLeast(16)
                            .atMost(1024)
                            .byDefault(128),
                    Option.wholeNumber("seed", "the same seed writes the same bytes")
                            .byDefault(1234L)));

    static final String USAGE = TABLE.help("synth --out DIR [--count N] [--size S] [--seed SEED]", """
            Draws faces procedurally, each a pure function of (seed, attributes): hair colour, male, young, smiling,
            eyeglasses (CelebA's format) and the 8 RaFD expressions (one folder each). A few seconds for 1000 faces:

              ./stargan synth --out runs/faces --count 500 --size 32""");

    private SynthCommand() {}

    static int run(List<String> args, PrintStream out, PrintStream err) throws IOException {
        if (OptionTable.asksForHelp(args)) {
            out.print(USAGE);
            return 0;
        }
        OptionValues o = TABLE.parse(args);
        String dir = (String) o.required("out");
        int count = o.integer("count");
        int size = o.integer("size");
        long seed = o.wholeNumber("seed");
        long t0 = System.nanoTime();
        int total = 2 * count;
        SyntheticDataset.write(Path.of(dir), count, size, seed, n -> {
            if (n % 100 == 0 || n == total) {
                err.printf("\rsynth: %d/%d images", n, total);
            }
        });
        err.printf(
                "%nwrote %d CelebA-style and %d RaFD-style faces of %d px to %s in %.1f s%n",
                count, count, size, dir, (System.nanoTime() - t0) / 1e9);
        return 0;
    }
}
