package org.stargan.data;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;

/**
 * A folder-per-domain dataset ({@code root/<domain>/*.jpg|png}), as torchvision's {@code ImageFolder} reads RaFD:
 * domains sorted by name, files sorted within each, one-hot labels; images centre cropped and resized.
 */
public final class FolderImages implements LabeledImages {
    private final List<String> domains = new ArrayList<>();
    private final List<Path> files = new ArrayList<>();
    private final List<Integer> classes = new ArrayList<>();
    private final int crop;
    private final int size;

    /** Lists {@code root}; fails naming an empty domain folder or a root without folders. */
    public FolderImages(Path root, int crop, int size) throws IOException {
        if (!Files.isDirectory(root)) {
            throw new IllegalArgumentException(root + ": not a directory (expected one folder per domain)");
        }
        List<Path> dirs;
        try (Stream<Path> s = Files.list(root)) {
            dirs = s.filter(Files::isDirectory).sorted().toList();
        }
        if (dirs.isEmpty()) {
            throw new IllegalArgumentException(root + ": no domain folders (expected root/<domain>/*.jpg|png)");
        }
        for (Path d : dirs) {
            List<Path> images;
            try (Stream<Path> s = Files.list(d)) {
                images = s.filter(FolderImages::isImage).sorted().toList();
            }
            if (images.isEmpty()) {
                throw new IllegalArgumentException(d + ": domain folder has no .jpg/.jpeg/.png/.bmp images");
            }
            for (Path p : images) {
                files.add(p);
                classes.add(domains.size());
            }
            domains.add(d.getFileName().toString());
        }
        this.crop = crop;
        this.size = size;
    }

    private static boolean isImage(Path p) {
        String n = p.getFileName().toString().toLowerCase(Locale.ROOT);
        return Files.isRegularFile(p)
                && (n.endsWith(".jpg") || n.endsWith(".jpeg") || n.endsWith(".png") || n.endsWith(".bmp"));
    }

    @Override
    public int size() {
        return files.size();
    }

    @Override
    public List<String> domains() {
        return List.copyOf(domains);
    }

    @Override
    public boolean singleLabel() {
        return true;
    }

    @Override
    public float[] label(int index) {
        float[] l = new float[domains.size()];
        l[classes.get(index)] = 1;
        return l;
    }

    @Override
    public String name(int index) {
        return files.get(index).toString();
    }

    @Override
    public ImageCodec.Tensor load(int index) throws IOException {
        Path p = files.get(index);
        return ImageCodec.toTensor(ImageCodec.decode(Files.readAllBytes(p), p.toString()), crop, size);
    }

    @Override
    public int imageSize() {
        return size;
    }
}
