package org.stargan.ckpt;

import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Enumeration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipException;
import java.util.zip.ZipFile;
import org.stargan.ckpt.StateDictUnpickler.Global;
import org.stargan.ckpt.StateDictUnpickler.Storage;
import org.stargan.ckpt.StateDictUnpickler.TensorRef;

/**
 * Reads a state dict saved by {@code torch.save}, without Python: the zip format (PyTorch ≥ 1.6) and the legacy
 * stream of pickles followed by raw storages (older PyTorch; the published StarGAN checkpoints). Floating-point
 * tensors come back as float32; integer buffers such as {@code num_batches_tracked} are read and converted too.
 */
public final class TorchCheckpointReader {
    private static final BigInteger LEGACY_MAGIC = new BigInteger("1950a86a20f9469cfc6c", 16);

    private TorchCheckpointReader() {}

    /** Reads every tensor of the state dict in {@code path}, in file order. */
    public static Map<String, HostTensor> read(Path path) throws IOException {
        String source = path.getFileName().toString();
        if (!Files.isRegularFile(path)) {
            throw new CheckpointFormatException(path + ": no such file");
        }
        long size = Files.size(path);
        byte[] head = new byte[4];
        try (InputStream in = Files.newInputStream(path)) {
            int n = in.readNBytes(head, 0, 4);
            if (n < 2) {
                throw new CheckpointFormatException(
                        source + ": empty or too short to be a checkpoint (" + size + " bytes)");
            }
        }
        if (head[0] == 'P' && head[1] == 'K') {
            return readZip(path, source, size);
        }
        if ((head[0] & 0xff) == 0x80) {
            return readLegacy(path, source, size);
        }
        throw new CheckpointFormatException(
                source + ": not a PyTorch checkpoint (neither a zip archive nor a pickle stream)");
    }

    private static Map<String, HostTensor> readZip(Path path, String source, long size) throws IOException {
        ZipFile zip;
        try {
            zip = new ZipFile(path.toFile());
        } catch (ZipException e) {
            throw new CheckpointFormatException(
                    source + ": damaged zip archive (" + e.getMessage() + "); the file may be truncated", e);
        }
        try (zip) {
            ZipEntry pkl = null;
            for (Enumeration<? extends ZipEntry> en = zip.entries(); en.hasMoreElements(); ) {
                ZipEntry e = en.nextElement();
                if (e.getName().equals("data.pkl") || e.getName().endsWith("/data.pkl")) {
                    pkl = e;
                    break;
                }
            }
            if (pkl == null) {
                throw new CheckpointFormatException(source + ": zip archive without data.pkl: not a torch.save file");
            }
            String prefix = pkl.getName().substring(0, pkl.getName().length() - "data.pkl".length());
            Map<String, Storage> storages = new HashMap<>();
            Object root;
            try (InputStream in = new BufferedInputStream(zip.getInputStream(pkl))) {
                root = new StateDictUnpickler(
                                in,
                                source,
                                pid -> {
                                    List<?> t = persistentId(pid, source, 5);
                                    String type = storageType(t.get(1), source);
                                    String key = String.valueOf(t.get(2));
                                    return storages.computeIfAbsent(key, k -> {
                                        ZipEntry data = zip.getEntry(prefix + "data/" + k);
                                        if (data == null) {
                                            throw new CheckpointFormatException(
                                                    source + ": storage '" + k + "' is missing from the archive");
                                        }
                                        try (InputStream d = zip.getInputStream(data)) {
                                            if (data.getSize() > size) {
                                                throw new CheckpointFormatException(source + ": storage '" + k
                                                        + "' claims " + data.getSize() + " bytes");
                                            }
                                            return new Storage(type, d.readAllBytes());
                                        } catch (IOException e) {
                                            throw new CheckpointFormatException(
                                                    source + ": cannot read storage '" + k + "': " + e.getMessage(), e);
                                        }
                                    });
                                },
                                size)
                        .load();
            } catch (ZipException e) {
                throw new CheckpointFormatException(source + ": damaged zip entry (" + e.getMessage() + ")", e);
            }
            return tensors(root, source);
        }
    }

    private static Map<String, HostTensor> readLegacy(Path path, String source, long size) throws IOException {
        try (DataInputStream in = new DataInputStream(new BufferedInputStream(Files.newInputStream(path)))) {
            Object magic = new StateDictUnpickler(
                            in,
                            source,
                            pid -> {
                                throw new CheckpointFormatException(
                                        source + ": unexpected storage reference in the header");
                            },
                            size)
                    .load();
            if (!LEGACY_MAGIC.equals(magic)) {
                throw new CheckpointFormatException(
                        source + ": a pickle, but not a torch.save file (magic number " + magic + ")");
            }
            Object protocol = new StateDictUnpickler(in, source, pid -> null, size).load();
            if (!Long.valueOf(1001).equals(protocol)) {
                throw new CheckpointFormatException(
                        source + ": legacy torch.save protocol " + protocol + ", expected 1001");
            }
            Object sysInfo = new StateDictUnpickler(in, source, pid -> null, size).load();
            if (sysInfo instanceof Map<?, ?> info && Boolean.FALSE.equals(info.get("little_endian"))) {
                throw new CheckpointFormatException(source + ": written on a big-endian machine; not supported");
            }
            Map<String, Storage> roots = new LinkedHashMap<>();
            Object root = new StateDictUnpickler(
                            in,
                            source,
                            pid -> {
                                List<?> t = persistentId(pid, source, 6);
                                String type = storageType(t.get(1), source);
                                String key = String.valueOf(t.get(2));
                                Storage rootStorage = roots.computeIfAbsent(key, k -> new Storage(type, null));
                                Object view = t.get(5);
                                if (view instanceof List<?> v && v.size() == 3) {
                                    return new Storage(type, null, rootStorage, ((Number) v.get(1)).longValue());
                                }
                                return rootStorage;
                            },
                            size)
                    .load();
            Object keys = new StateDictUnpickler(in, source, pid -> null, size).load();
            if (!(keys instanceof List<?> keyList)) {
                throw new CheckpointFormatException(source + ": storage key list missing after the state dict");
            }
            for (Object k : keyList) {
                Storage s = roots.get(String.valueOf(k));
                if (s == null) {
                    throw new CheckpointFormatException(
                            source + ": storage '" + k + "' is listed but never referenced");
                }
                long numel = Long.reverseBytes(readLong(in, source));
                long bytes = numel * elementSize(s.type);
                if (numel < 0 || bytes > size) {
                    throw new CheckpointFormatException(source + ": storage '" + k + "' claims " + numel
                            + " elements in a file of " + size + " bytes");
                }
                s.bytes = in.readNBytes((int) bytes);
                if (s.bytes.length != bytes) {
                    throw new CheckpointFormatException(source + ": truncated inside storage '" + k + "' ("
                            + s.bytes.length + " of " + bytes + " bytes)");
                }
            }
            return tensors(root, source);
        }
    }

    private static long readLong(DataInputStream in, String source) throws IOException {
        try {
            return in.readLong();
        } catch (java.io.EOFException e) {
            throw new CheckpointFormatException(source + ": truncated before the raw storages", e);
        }
    }

    private static List<?> persistentId(Object pid, String source, int minSize) {
        if (!(pid instanceof List<?> t) || t.size() < minSize || !"storage".equals(t.get(0))) {
            throw new CheckpointFormatException(
                    source + ": unexpected persistent id " + pid + "; expected a ('storage', ...) tuple");
        }
        return t;
    }

    private static String storageType(Object o, String source) {
        if (o instanceof Global g) {
            return g.name();
        }
        throw new CheckpointFormatException(source + ": storage type " + o + " is not a torch storage class");
    }

    static int elementSize(String type) {
        return switch (type) {
            case "FloatStorage", "IntStorage" -> 4;
            case "DoubleStorage", "LongStorage" -> 8;
            case "HalfStorage", "BFloat16Storage", "ShortStorage" -> 2;
            case "ByteStorage", "CharStorage", "BoolStorage" -> 1;
            default -> throw new CheckpointFormatException("unsupported storage type " + type);
        };
    }

    private static Map<String, HostTensor> tensors(Object root, String source) {
        if (root instanceof Map<?, ?> m && m.get("state_dict") instanceof Map<?, ?> inner) {
            root = inner;
        }
        if (!(root instanceof Map<?, ?> dict)) {
            throw new CheckpointFormatException(source + ": holds "
                    + (root == null ? "None" : root.getClass().getSimpleName())
                    + ", not a state dict (a mapping from names to tensors)");
        }
        Map<String, HostTensor> out = new LinkedHashMap<>();
        for (Map.Entry<?, ?> e : dict.entrySet()) {
            if (!(e.getKey() instanceof String key)) {
                throw new CheckpointFormatException(source + ": state-dict key " + e.getKey() + " is not a string");
            }
            if (!(e.getValue() instanceof TensorRef ref)) {
                throw new CheckpointFormatException(source + ": '" + key + "' is not a tensor");
            }
            out.put(key, materialise(ref, key, source));
        }
        return out;
    }

    private static HostTensor materialise(TensorRef ref, String key, String source) {
        Storage s = ref.storage();
        long base = ref.offset();
        while (s.root != null) {
            base += s.elementOffset;
            s = s.root;
        }
        if (s.bytes == null) {
            throw new CheckpointFormatException(source + ": '" + key + "' refers to a storage whose data is missing");
        }
        int esize = elementSize(s.type);
        long available = s.bytes.length / esize;
        long[] size = ref.size();
        long[] stride = ref.stride();
        if (stride.length != size.length) {
            throw new CheckpointFormatException(
                    source + ": '" + key + "' has " + size.length + " sizes but " + stride.length + " strides");
        }
        long count = 1;
        long maxIndex = base;
        for (int i = 0; i < size.length; i++) {
            if (size[i] < 0 || stride[i] < 0) {
                throw new CheckpointFormatException(source + ": '" + key + "' has a negative size or stride");
            }
            count = Math.multiplyExact(count, size[i]);
            if (size[i] > 0) {
                maxIndex += (size[i] - 1) * stride[i];
            }
        }
        if (count > 0 && (base < 0 || maxIndex >= available)) {
            throw new CheckpointFormatException(
                    source + ": '" + key + "' reaches element " + maxIndex + " of a storage of " + available);
        }
        if (count > Integer.MAX_VALUE - 8) {
            throw new CheckpointFormatException(
                    source + ": '" + key + "' has " + count + " elements, more than this reader supports");
        }
        ByteBuffer b = ByteBuffer.wrap(s.bytes).order(ByteOrder.LITTLE_ENDIAN);
        float[] values = new float[(int) count];
        int[] idx = new int[size.length];
        for (int n = 0; n < values.length; n++) {
            long at = base;
            for (int i = 0; i < size.length; i++) {
                at += idx[i] * stride[i];
            }
            values[n] = element(b, s.type, (int) at, esize);
            for (int i = size.length - 1; i >= 0; i--) {
                if (++idx[i] < size[i]) {
                    break;
                }
                idx[i] = 0;
            }
        }
        return new HostTensor(size, values);
    }

    private static float element(ByteBuffer b, String type, int index, int esize) {
        int at = index * esize;
        return switch (type) {
            case "FloatStorage" -> b.getFloat(at);
            case "DoubleStorage" -> (float) b.getDouble(at);
            case "HalfStorage" -> halfToFloat(b.getShort(at));
            case "BFloat16Storage" -> Float.intBitsToFloat((b.getShort(at) & 0xffff) << 16);
            case "LongStorage" -> b.getLong(at);
            case "IntStorage" -> b.getInt(at);
            case "ShortStorage" -> b.getShort(at);
            case "CharStorage" -> b.get(at);
            case "ByteStorage" -> b.get(at) & 0xff;
            case "BoolStorage" -> b.get(at) != 0 ? 1f : 0f;
            default -> throw new CheckpointFormatException("unsupported storage type " + type);
        };
    }

    static float halfToFloat(short h) {
        int bits = h & 0xffff;
        int sign = (bits & 0x8000) << 16;
        int exp = (bits >>> 10) & 0x1f;
        int mant = bits & 0x3ff;
        if (exp == 0) {
            return (sign != 0 ? -1 : 1) * mant * 0x1p-24f;
        }
        if (exp == 31) {
            return Float.intBitsToFloat(sign | 0x7f800000 | (mant << 13));
        }
        return Float.intBitsToFloat(sign | ((exp + 112) << 23) | (mant << 13));
    }
}
