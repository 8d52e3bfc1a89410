package org.stargan.trainer;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Path;

/**
 * Where a job's artifacts (sample grids, model and training-state checkpoints) live for everyone else: training
 * writes them to the job's local directory, and the store makes each one available and returns the URI that events
 * and registry announcements carry. The default keeps them where they are on a (shared) file system; a store for an
 * object service would upload here and return its URL.
 */
public interface ArtifactStore {
    /** The local directory a job writes into. */
    Path jobDirectory(String jobId);

    /** Makes {@code file} (already complete, inside the job's directory) available; returns its URI. */
    URI publish(String jobId, Path file) throws IOException;

    /** The file-system store: artifacts stay in {@code root/jobs/<job>/}, published as {@code file:} URIs. */
    static ArtifactStore fileSystem(Path root) {
        return new ArtifactStore() {
            @Override
            public Path jobDirectory(String jobId) {
                return root.resolve("jobs").resolve(jobId);
            }

            @Override
            public URI publish(String jobId, Path file) {
                return file.toAbsolutePath().toUri();
            }
        };
    }
}
