package org.stargan.msg;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The metadata in the header of a safetensors checkpoint, read without its tensors. A model announced on the registry
 * describes itself there ({@code stargan.domains}, {@code stargan.exclusive_groups}, {@code stargan.image_size}), which
 * is how a gateway learns a model's domains without loading it.
 */
public final class CheckpointHeader {
    /** JSON array of the domain names in label order. */
    public static final String DOMAINS = "stargan.domains";
    /** JSON array of arrays: the groups of domains of which at most one is on. */
    public static final String EXCLUSIVE_GROUPS = "stargan.exclusive_groups";
    /** The image side the model was trained at. */
    public static final String IMAGE_SIZE = "stargan.image_size";
    /** The training iteration the weights are from. */
    public static final String ITERATION = "stargan.iteration";

    /** Headers beyond this are refused: a real one is a few kB. */
    public static final long MAX_HEADER_BYTES = 100L << 20;

    private static final ObjectMapper JSON = new ObjectMapper();

    private CheckpointHeader() {}

    /** Whether the file starts like a safetensors file (a plausible header length followed by '{'). */
    public static boolean looksLike(Path path) throws IOException {
        try (InputStream in = Files.newInputStream(path)) {
            byte[] head = in.readNBytes(9);
            if (head.length < 9) {
                return false;
            }
            long len =
                    ByteBuffer.wrap(head, 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
            return len > 0 && len < MAX_HEADER_BYTES && head[8] == '{';
        }
    }

    /** The header's {@code __metadata__} entries of {@code path}; no tensor data is read. */
    public static Map<String, String> metadata(Path path) throws IOException {
        String source = path.getFileName().toString();
        try (FileChannel ch = FileChannel.open(path, StandardOpenOption.READ)) {
            long size = ch.size();
            ByteBuffer lenBuf = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
            readFully(ch, lenBuf, 0, source);
            long headerLen = lenBuf.flip().getLong();
            if (headerLen <= 0 || headerLen > MAX_HEADER_BYTES || 8 + headerLen > size) {
                throw new IOException(source + ": not a safetensors file (header length " + headerLen + ")");
            }
            ByteBuffer hb = ByteBuffer.allocate((int) headerLen);
            readFully(ch, hb, 8, source);
            JsonNode header = JSON.readTree(new String(hb.array(), StandardCharsets.UTF_8));
            Map<String, String> metadata = new LinkedHashMap<>();
            header.path("__metadata__")
                    .fields()
                    .forEachRemaining(m -> metadata.put(m.getKey(), m.getValue().asText()));
            return metadata;
        }
    }

    private static void readFully(FileChannel ch, ByteBuffer buf, long position, String source) throws IOException {
        long pos = position;
        while (buf.hasRemaining()) {
            int n = ch.read(buf, pos);
            if (n < 0) {
                throw new IOException(source + ": ends inside the header");
            }
            pos += n;
        }
    }
}
