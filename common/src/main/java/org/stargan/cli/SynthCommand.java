package org.stargan.cli;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import org.stargan.data.SyntheticDataset;

/** {@code stargan synth}: writes synthetic faces with ground truth in the CelebA and RaFD formats. */
final class SynthCommand {
    static final String USAGE = """
            usage: stargan synth --out DIR [--count N] [--size S] [--seed SEED]

              --out DIR    where to write: DIR/celeba/{list_attr_celeba.txt,images/}, DIR/rafd/<expression>/,
                           DIR/synthetic.properties (what `eval` needs to re-render any image in any domain)
              --count N    CelebA-style images, and as many RaFD-style (default 10000)
              --size S     image side in pixels (default 128)
              --seed SEED  the same seed writes the same bytes (default 1234)
            """;

    private SynthCommand() {}

    static int run(List<String> args, PrintStream out, PrintStream err) throws IOException {
        if (args.contains("--help") || args.contains("-h")) {
            out.print(USAGE);
            return 0;
        }
        Options o = Options.parse("synth", args, Set.of("out", "count", "size", "seed"), Set.of());
        String dir = o.string("out", null);
        if (dir == null) {
            throw new Options.UsageException("synth: --out DIR is required");
        }
        int count = o.positiveInt("count", 10000);
        int size = o.positiveInt("size", 128);
        if (size < 16 || size > 1024) {
            throw new Options.UsageException("synth: --size " + size + ", expected 16..1024");
        }
        String seedText = o.string("seed", "1234");
        long seed;
        try {
            seed = Long.parseLong(seedText.trim());
        } catch (NumberFormatException e) {
            throw new Options.UsageException("synth: --seed '" + seedText + "', expected an integer");
        }
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
