package org.stargan.ckpt;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import org.stargan.msg.CheckpointHeader;

/**
 * The safetensors format (8-byte little-endian header length, JSON header, raw little-endian data): float32 tensors
 * under their names plus string metadata. Writes are atomic: the file appears complete under its name or not at all.
 */
public final class SafeTensors {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final long MAX_HEADER = CheckpointHeader.MAX_HEADER_BYTES;

    /** Tensors and metadata of one file. */
    public record Contents(Map<String, HostTensor> tensors, Map<String, String> metadata) {}

    private SafeTensors() {}

    /** Writes {@code tensors} (in map order) and {@code metadata} to {@code path} via a temporary file and a rename. */
    public static void write(Path path, Map<String, HostTensor> tensors, Map<String, String> metadata)
            throws IOException {
        ObjectNode header = JSON.createObjectNode();
        if (!metadata.isEmpty()) {
            ObjectNode meta = header.putObject("__metadata__");
            metadata.forEach(meta::put);
        }
        long offset = 0;
        for (Map.Entry<String, HostTensor> e : tensors.entrySet()) {
            ObjectNode t = header.putObject(e.getKey());
            t.put("dtype", "F32");
            var shape = t.putArray("shape");
            for (long d : e.getValue().shape()) {
                shape.add(d);
            }
            long bytes = 4L * e.getValue().values().length;
            t.putArray("data_offsets").add(offset).add(offset + bytes);
            offset += bytes;
        }
        byte[] headerBytes = JSON.writeValueAsBytes(header);
        int pad = (8 - headerBytes.length % 8) % 8;
        byte[] padded = new byte[headerBytes.length + pad];
        System.arraycopy(headerBytes, 0, padded, 0, headerBytes.length);
        for (int i = headerBytes.length; i < padded.length; i++) {
            padded[i] = ' ';
        }
        AtomicFiles.write(path, out -> {
            ByteBuffer len =
                    ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(padded.length);
            out.write(len.array());
            out.write(padded);
            ByteBuffer chunk = ByteBuffer.allocate(1 << 20).order(ByteOrder.LITTLE_ENDIAN);
            for (HostTensor t : tensors.values()) {
                for (float v : t.values()) {
                    if (!chunk.hasRemaining()) {
                        out.write(chunk.array(), 0, chunk.position());
                        chunk.clear();
                    }
                    chunk.putFloat(v);
                }
            }
            out.write(chunk.array(), 0, chunk.position());
        });
    }

    /** Reads every tensor (F32, F64 or F16, returned as float32) and the metadata of {@code path}. */
    public static Contents read(Path path) throws IOException {
        String source = path.getFileName().toString();
        long size = Files.size(path);
        try (FileChannel ch = FileChannel.open(path, StandardOpenOption.READ)) {
            if (size < 8) {
                throw new CheckpointFormatException(source + ": " + size + " bytes, too short for a safetensors file");
            }
            ByteBuffer lenBuf = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
            readFully(ch, lenBuf, 0, source);
            long headerLen = lenBuf.flip().getLong();
            if (headerLen <= 0 || headerLen > MAX_HEADER || 8 + headerLen > size) {
                throw new CheckpointFormatException(source + ": header length " + headerLen + " does not fit a file of "
                        + size + " bytes; not a safetensors file or truncated");
            }
            ByteBuffer hb = ByteBuffer.allocate((int) headerLen);
            readFully(ch, hb, 8, source);
            JsonNode header;
            try {
                header = JSON.readTree(new String(hb.array(), StandardCharsets.UTF_8));
            } catch (IOException e) {
                throw new CheckpointFormatException(source + ": header is not JSON (" + e.getMessage() + ")", e);
            }
            if (header == null || !header.isObject()) {
                throw new CheckpointFormatException(source + ": header is not a JSON object");
            }
            long dataStart = 8 + headerLen;
            long dataLen = size - dataStart;
            Map<String, String> metadata = new LinkedHashMap<>();
            Map<String, HostTensor> tensors = new LinkedHashMap<>();
            for (Iterator<Map.Entry<String, JsonNode>> it = header.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                if (e.getKey().equals("__metadata__")) {
                    e.getValue()
                            .fields()
                            .forEachRemaining(
                                    m -> metadata.put(m.getKey(), m.getValue().asText()));
                    continue;
                }
                tensors.put(e.getKey(), tensor(ch, e.getKey(), e.getValue(), dataStart, dataLen, source));
            }
            return new Contents(tensors, metadata);
        }
    }

    private static HostTensor tensor(
            FileChannel ch, String name, JsonNode t, long dataStart, long dataLen, String source) throws IOException {
        String dtype = t.path("dtype").asText();
        int esize = switch (dtype) {
            case "F32" -> 4;
            case "F64" -> 8;
            case "F16", "BF16" -> 2;
            default ->
                throw new CheckpointFormatException(
                        source + ": tensor '" + name + "' has dtype '" + dtype + "', expected F32, F64, F16 or BF16");
        };
        JsonNode shapeNode = t.path("shape");
        JsonNode offsets = t.path("data_offsets");
        if (!shapeNode.isArray() || !offsets.isArray() || offsets.size() != 2) {
            throw new CheckpointFormatException(source + ": tensor '" + name + "' lacks shape or data_offsets");
        }
        long[] shape = new long[shapeNode.size()];
        long count = 1;
        for (int i = 0; i < shape.length; i++) {
            shape[i] = shapeNode.get(i).asLong(-1);
            if (shape[i] < 0) {
                throw new CheckpointFormatException(
                        source + ": tensor '" + name + "' has dimension " + shapeNode.get(i));
            }
            count = Math.multiplyExact(count, shape[i]);
        }
        long begin = offsets.get(0).asLong(-1);
        long end = offsets.get(1).asLong(-1);
        if (begin < 0 || end < begin || end > dataLen || end - begin != count * esize) {
            throw new CheckpointFormatException(source + ": tensor '" + name + "' data_offsets [" + begin + ", " + end
                    + "] do not match shape " + java.util.Arrays.toString(shape) + " × " + esize + " bytes within "
                    + dataLen + " data bytes (truncated?)");
        }
        if (count > Integer.MAX_VALUE - 8) {
            throw new CheckpointFormatException(source + ": tensor '" + name + "' is too large");
        }
        ByteBuffer data = ByteBuffer.allocate((int) (end - begin)).order(ByteOrder.LITTLE_ENDIAN);
        readFully(ch, data, dataStart + begin, source);
        data.flip();
        float[] values = new float[(int) count];
        for (int i = 0; i < values.length; i++) {
            values[i] = switch (dtype) {
                case "F32" -> data.getFloat();
                case "F64" -> (float) data.getDouble();
                case "F16" -> TorchCheckpointReader.halfToFloat(data.getShort());
                default -> Float.intBitsToFloat((data.getShort() & 0xffff) << 16);
            };
        }
        return new HostTensor(shape, values);
    }

    private static void readFully(FileChannel ch, ByteBuffer b, long at, String source) throws IOException {
        long pos = at;
        while (b.hasRemaining()) {
            int n = ch.read(b, pos);
            if (n < 0) {
                throw new CheckpointFormatException(source + ": truncated at byte " + pos);
            }
            pos += n;
        }
    }

    /** Only the header's metadata of {@code path} (no tensor data is read). */
    public static Map<String, String> metadata(Path path) throws IOException {
        return CheckpointHeader.metadata(path);
    }

    /** Whether the file starts like a safetensors file (plausible header length followed by '{'). */
    public static boolean looksLike(Path path) throws IOException {
        return CheckpointHeader.looksLike(path);
    }
}
