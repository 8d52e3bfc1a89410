package org.stargan.io;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads and writes NumPy {@code .npy} arrays (format version 1.0/2.0, little-endian, C order), the exchange
 * format with the Python reference and the {@code translate} command's raw tensor input and output.
 */
public final class Npy {
    private static final byte[] MAGIC = {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y'};
    private static final Pattern DESCR = Pattern.compile("'descr'\\s*:\\s*'([^']+)'");
    private static final Pattern FORTRAN = Pattern.compile("'fortran_order'\\s*:\\s*(True|False)");
    private static final Pattern SHAPE = Pattern.compile("'shape'\\s*:\\s*\\(([^)]*)\\)");

    private Npy() {}

    /** Element types this project exchanges. */
    public enum Dtype {
        FLOAT32("<f4", 4),
        FLOAT64("<f8", 8),
        INT64("<i8", 8),
        INT32("<i4", 4);

        final String descr;
        final int bytes;

        Dtype(String descr, int bytes) {
            this.descr = descr;
            this.bytes = bytes;
        }

        static Dtype of(String descr, String source) {
            for (Dtype d : values()) {
                if (d.descr.equals(descr)) {
                    return d;
                }
            }
            throw new NpyFormatException(
                    source + ": dtype '" + descr + "' is not supported; expected one of <f4, <f8, <i8, <i4");
        }
    }

    /** An array read from or to be written to a {@code .npy} stream; data is little-endian in C order. */
    public record Array(Dtype dtype, long[] shape, ByteBuffer data) {
        /** Number of elements. */
        public long size() {
            long n = 1;
            for (long d : shape) {
                n *= d;
            }
            return n;
        }

        /** The values as float32, converting float64 and integers. */
        public float[] toFloats() {
            float[] out = new float[Math.toIntExact(size())];
            ByteBuffer b = data.duplicate().order(ByteOrder.LITTLE_ENDIAN);
            for (int i = 0; i < out.length; i++) {
                out[i] = switch (dtype) {
                    case FLOAT32 -> b.getFloat();
                    case FLOAT64 -> (float) b.getDouble();
                    case INT64 -> b.getLong();
                    case INT32 -> b.getInt();
                };
            }
            return out;
        }

        /** The values as float64. */
        public double[] toDoubles() {
            double[] out = new double[Math.toIntExact(size())];
            ByteBuffer b = data.duplicate().order(ByteOrder.LITTLE_ENDIAN);
            for (int i = 0; i < out.length; i++) {
                out[i] = switch (dtype) {
                    case FLOAT32 -> b.getFloat();
                    case FLOAT64 -> b.getDouble();
                    case INT64 -> b.getLong();
                    case INT32 -> b.getInt();
                };
            }
            return out;
        }

        /** The values as int64. */
        public long[] toLongs() {
            long[] out = new long[Math.toIntExact(size())];
            ByteBuffer b = data.duplicate().order(ByteOrder.LITTLE_ENDIAN);
            for (int i = 0; i < out.length; i++) {
                out[i] = switch (dtype) {
                    case FLOAT32 -> (long) b.getFloat();
                    case FLOAT64 -> (long) b.getDouble();
                    case INT64 -> b.getLong();
                    case INT32 -> b.getInt();
                };
            }
            return out;
        }

        /** A float32 array of the given shape. */
        public static Array ofFloats(float[] values, long... shape) {
            ByteBuffer b = ByteBuffer.allocate(values.length * 4).order(ByteOrder.LITTLE_ENDIAN);
            b.asFloatBuffer().put(values);
            return new Array(Dtype.FLOAT32, shape.clone(), b);
        }
    }

    /** Reads one array; {@code source} names the stream in error messages. */
    public static Array read(InputStream in, String source) throws IOException {
        DataInputStream din = new DataInputStream(in);
        byte[] magic = new byte[6];
        din.readFully(magic);
        if (!Arrays.equals(magic, MAGIC)) {
            throw new NpyFormatException(source + ": not a .npy file (magic bytes missing)");
        }
        int major = din.readUnsignedByte();
        din.readUnsignedByte();
        long headerLen;
        if (major == 1) {
            headerLen = Short.toUnsignedInt(Short.reverseBytes(din.readShort()));
        } else if (major == 2 || major == 3) {
            headerLen = Integer.toUnsignedLong(Integer.reverseBytes(din.readInt()));
        } else {
            throw new NpyFormatException(
                    source + ": .npy format version " + major + " is not supported; expected 1, 2 or 3");
        }
        if (headerLen > 1 << 20) {
            throw new NpyFormatException(source + ": header length " + headerLen + " is implausible");
        }
        byte[] header = new byte[(int) headerLen];
        din.readFully(header);
        String h = new String(header, StandardCharsets.ISO_8859_1);
        Dtype dtype = Dtype.of(group(DESCR, h, "descr", source), source);
        if (group(FORTRAN, h, "fortran_order", source).equals("True")) {
            throw new NpyFormatException(source + ": fortran_order=True is not supported; save a C-ordered array");
        }
        String shapeText = group(SHAPE, h, "shape", source).trim();
        long[] shape = shapeText.isEmpty()
                ? new long[0]
                : Arrays.stream(shapeText.split(","))
                        .map(String::trim)
                        .filter(s -> !s.isEmpty())
                        .mapToLong(Long::parseLong)
                        .toArray();
        long count = 1;
        for (long d : shape) {
            if (d < 0) {
                throw new NpyFormatException(source + ": negative dimension in shape (" + shapeText + ")");
            }
            count = Math.multiplyExact(count, d);
        }
        long bytes = Math.multiplyExact(count, dtype.bytes);
        if (bytes > Integer.MAX_VALUE - 16) {
            throw new NpyFormatException(
                    source + ": array of " + bytes + " bytes is larger than this reader's 2 GiB limit");
        }
        byte[] data = new byte[(int) bytes];
        try {
            din.readFully(data);
        } catch (java.io.EOFException e) {
            throw new NpyFormatException(
                    source + ": truncated; shape (" + shapeText + ") needs " + bytes + " data bytes");
        }
        return new Array(dtype, shape, ByteBuffer.wrap(data).order(ByteOrder.LITTLE_ENDIAN));
    }

    /** Writes one array in format 1.0. */
    public static void write(OutputStream out, Array array) throws IOException {
        StringBuilder shape = new StringBuilder();
        for (long d : array.shape()) {
            shape.append(d).append(", ");
        }
        if (array.shape().length > 1) {
            shape.setLength(shape.length() - 2);
        } else if (array.shape().length == 1) {
            shape.setLength(shape.length() - 1);
        }
        String dict = "{'descr': '" + array.dtype().descr + "', 'fortran_order': False, 'shape': (" + shape + "), }";
        int unpadded = MAGIC.length + 2 + 2 + dict.length() + 1;
        int pad = (64 - unpadded % 64) % 64;
        ByteArrayOutputStream header = new ByteArrayOutputStream();
        header.write(MAGIC);
        header.write(1);
        header.write(0);
        int len = dict.length() + pad + 1;
        header.write(len & 0xff);
        header.write((len >> 8) & 0xff);
        header.write(dict.getBytes(StandardCharsets.ISO_8859_1));
        header.write(" ".repeat(pad).getBytes(StandardCharsets.ISO_8859_1));
        header.write('\n');
        out.write(header.toByteArray());
        ByteBuffer d = array.data().duplicate();
        byte[] bytes = new byte[d.remaining()];
        d.get(bytes);
        out.write(bytes);
    }

    private static String group(Pattern p, String header, String key, String source) {
        Matcher m = p.matcher(header);
        if (!m.find()) {
            throw new NpyFormatException(source + ": header has no '" + key + "' entry: " + header.trim());
        }
        return m.group(1);
    }

    /** A stream that is not a valid {@code .npy} array of a supported kind. */
    public static final class NpyFormatException extends IllegalArgumentException {
        private static final long serialVersionUID = 1L;

        NpyFormatException(String message) {
            super(message);
        }
    }
}
