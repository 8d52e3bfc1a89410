package org.stargan.data;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BatchLoaderTest {
    @TempDir
    Path tmp;

    @Test
    void batchesAreAFunctionOfSeedAndIterationWhateverThePrefetching() throws Exception {
        SyntheticDataset.write(tmp, 10, 16, 3, n -> {});
        FolderImages data = new FolderImages(tmp.resolve("rafd"), 16, 16);
        try (BatchLoader a = new BatchLoader(data, 4, 11, true, 2, 3, 1 << 20);
                BatchLoader b = new BatchLoader(data, 4, 11, true, 1, 1, 0)) {
            BatchLoader.Batch[] seq = new BatchLoader.Batch[8];
            for (int i = 0; i < 8; i++) {
                seq[i] = a.next();
                assertThat(seq[i].iteration()).isEqualTo(i);
            }
            // A loader resumed at iteration 5 gives what the uninterrupted one gave.
            b.seek(5);
            for (int i = 5; i < 8; i++) {
                BatchLoader.Batch r = b.next();
                assertThat(r.images()).containsExactly(seq[i].images());
                assertThat(r.labels()).isDeepEqualTo(seq[i].labels());
            }
            // The first 10 samples are one epoch: a permutation of the 10 images, so each class appears as often as
            // in the data (expressions cycle, so classes 0 and 1 hold two images, the others one).
            int[] counts = new int[8];
            for (int i = 0; i < 10; i++) {
                float[] l = seq[i / 4].labels()[i % 4];
                for (int k = 0; k < 8; k++) {
                    counts[k] += l[k] == 1 ? 1 : 0;
                }
            }
            assertThat(counts).containsExactly(2, 2, 1, 1, 1, 1, 1, 1);
        }
    }
}
