package org.stargan.ckpt;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.zip.CRC32;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

/**
 * Writes a state dict in {@code torch.save}'s zip format (PyTorch ≥ 1.6 reads it with {@code torch.load}): a
 * {@code data.pkl} pickle of an {@code OrderedDict} of {@code _rebuild_tensor_v2} calls, one stored (uncompressed)
 * zip entry per tensor storage, and the format version. Written atomically.
 */
public final class TorchCheckpointWriter {
    /** One state-dict entry: float32 values, or int64 values (for buffers such as {@code num_batches_tracked}). */
    public record Entry(String key, long[] shape, float[] floats, long[] longs) {
        /** A float32 tensor. */
        public static Entry of(String key, HostTensor t) {
            return new Entry(key, t.shape(), t.values(), null);
        }

        /** An int64 tensor. */
        public static Entry ofLongs(String key, long[] shape, long... values) {
            return new Entry(key, shape, null, values);
        }

        long numel() {
            return floats != null ? floats.length : longs.length;
        }
    }

    private TorchCheckpointWriter() {}

    /** Writes {@code entries} in order as a state dict named {@code archive} inside the zip. */
    public static void write(Path path, List<Entry> entries) throws IOException {
        String archive = "archive";
        byte[] pickle = pickle(entries);
        AtomicFiles.write(path, raw -> {
            ZipOutputStream zip = new ZipOutputStream(raw);
            stored(zip, archive + "/data.pkl", pickle);
            stored(zip, archive + "/byteorder", "little".getBytes(StandardCharsets.US_ASCII));
            for (int i = 0; i < entries.size(); i++) {
                stored(zip, archive + "/data/" + i, data(entries.get(i)));
            }
            stored(zip, archive + "/version", "3\n".getBytes(StandardCharsets.US_ASCII));
            zip.finish();
        });
    }

    private static byte[] data(Entry e) {
        if (e.floats() != null) {
            ByteBuffer b = ByteBuffer.allocate(e.floats().length * 4).order(ByteOrder.LITTLE_ENDIAN);
            b.asFloatBuffer().put(e.floats());
            return b.array();
        }
        ByteBuffer b = ByteBuffer.allocate(e.longs().length * 8).order(ByteOrder.LITTLE_ENDIAN);
        b.asLongBuffer().put(e.longs());
        return b.array();
    }

    private static void stored(ZipOutputStream zip, String name, byte[] bytes) throws IOException {
        ZipEntry e = new ZipEntry(name);
        e.setMethod(ZipEntry.STORED);
        e.setSize(bytes.length);
        e.setCompressedSize(bytes.length);
        CRC32 crc = new CRC32();
        crc.update(bytes);
        e.setCrc(crc.getValue());
        zip.putNextEntry(e);
        zip.write(bytes);
        zip.closeEntry();
    }

    /** The pickle (protocol 2) of {@code OrderedDict([(key, _rebuild_tensor_v2(storage, 0, size, stride, False, OrderedDict())), ...])}. */
    static byte[] pickle(List<Entry> entries) {
        Pickler p = new Pickler();
        p.op(0x80).op(2);
        p.global("collections", "OrderedDict").op(')').op('R');
        p.op('(');
        for (int i = 0; i < entries.size(); i++) {
            Entry e = entries.get(i);
            p.string(e.key());
            p.global("torch._utils", "_rebuild_tensor_v2");
            p.op('(');
            // persistent id ('storage', torch.FloatStorage, key, 'cpu', numel)
            p.op('(')
                    .string("storage")
                    .global("torch", e.floats() != null ? "FloatStorage" : "LongStorage")
                    .string(Integer.toString(i))
                    .string("cpu")
                    .integer(e.numel())
                    .op('t')
                    .op('Q');
            p.integer(0);
            p.op('(');
            for (long d : e.shape()) {
                p.integer(d);
            }
            p.op('t');
            p.op('(');
            long stride = 1;
            long[] strides = new long[e.shape().length];
            for (int d = e.shape().length - 1; d >= 0; d--) {
                strides[d] = stride;
                stride *= e.shape()[d];
            }
            for (long s : strides) {
                p.integer(s);
            }
            p.op('t');
            p.op(0x89); // requires_grad=False
            p.global("collections", "OrderedDict").op(')').op('R');
            p.op('t').op('R');
        }
        p.op('u');
        p.op('.');
        return p.bytes();
    }

    /** Just enough of a pickle writer for the state dict above. */
    private static final class Pickler {
        private final ByteArrayOutputStream out = new ByteArrayOutputStream();

        Pickler op(int code) {
            out.write(code);
            return this;
        }

        Pickler global(String module, String name) {
            op('c');
            out.writeBytes((module + "\n" + name + "\n").getBytes(StandardCharsets.US_ASCII));
            return this;
        }

        Pickler string(String s) {
            byte[] b = s.getBytes(StandardCharsets.UTF_8);
            op('X');
            out.writeBytes(ByteBuffer.allocate(4)
                    .order(ByteOrder.LITTLE_ENDIAN)
                    .putInt(b.length)
                    .array());
            out.writeBytes(b);
            return this;
        }

        Pickler integer(long v) {
            if (v >= 0 && v < 256) {
                op('K').op((int) v);
            } else if (v >= Integer.MIN_VALUE && v <= Integer.MAX_VALUE) {
                op('J');
                out.writeBytes(ByteBuffer.allocate(4)
                        .order(ByteOrder.LITTLE_ENDIAN)
                        .putInt((int) v)
                        .array());
            } else {
                op(0x8a).op(8);
                out.writeBytes(ByteBuffer.allocate(8)
                        .order(ByteOrder.LITTLE_ENDIAN)
                        .putLong(v)
                        .array());
            }
            return this;
        }

        byte[] bytes() {
            return out.toByteArray();
        }
    }
}
