package org.stargan.io;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;

/** A NumPy {@code .npz} archive (a zip of {@code .npy} members), as written by {@code numpy.savez}. */
public final class NpzArchive implements AutoCloseable {
    private final ZipFile zip;
    private final Path path;

    private NpzArchive(Path path) throws IOException {
        this.path = path;
        this.zip = new ZipFile(path.toFile());
    }

    /** Opens an archive for reading. */
    public static NpzArchive open(Path path) throws IOException {
        return new NpzArchive(path);
    }

    /** Member names without the {@code .npy} suffix, in archive order. */
    public List<String> names() {
        List<String> names = new ArrayList<>();
        for (ZipEntry e : Collections.list(zip.entries())) {
            String n = e.getName();
            names.add(n.endsWith(".npy") ? n.substring(0, n.length() - 4) : n);
        }
        return names;
    }

    /** Whether the archive holds the named array. */
    public boolean has(String name) {
        return zip.getEntry(name + ".npy") != null;
    }

    /** Reads the named array; fails naming the archive and the member when it is absent. */
    public Npy.Array get(String name) throws IOException {
        ZipEntry e = zip.getEntry(name + ".npy");
        if (e == null) {
            throw new IllegalArgumentException(path.getFileName() + ": no array named '" + name + "'");
        }
        try (InputStream in = zip.getInputStream(e)) {
            return Npy.read(in, path.getFileName() + ":" + name);
        }
    }

    @Override
    public void close() throws IOException {
        zip.close();
    }
}
