package org.stargan.gateway;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;

/**
 * Files of one training job, read from the trainer's artifact store ({@code <root>/jobs/<job>/}) so that the web UI
 * can show sample grids and offer checkpoints. Confined to the job's directory: a path with {@code ..} segments, an
 * absolute path, or a symbolic link whose target lies outside the directory is refused, as is anything that is not a
 * regular file (a FIFO would block the reader). Only images (recognised by their first bytes) and the trainer's JSON
 * and safetensors files are served. Blocking file-system calls: run it off the event loop.
 */
public final class JobArtifacts {
    /** A file that may be served, with its content type. */
    public record Artifact(Path file, String contentType) {}

    /** Why a file is not served; {@code status} is the HTTP status that says so, {@link #code()} the error code. */
    public static final class Refused extends Exception {
        private final int status;

        Refused(int status, String message) {
            super(message);
            this.status = status;
        }

        /** 400 (bad path), 403 (outside the job or not a servable file), 404 (absent). */
        public int status() {
            return status;
        }

        /** The JSON error code of {@link #status()}. */
        public String code() {
            return status == 400 ? "bad_request" : status == 403 ? "forbidden" : "not_found";
        }
    }

    private final Path root;

    /** The store at {@code root}; null when the gateway was given none (every lookup is then refused with 404). */
    public JobArtifacts(Path root) {
        this.root = root;
    }

    /**
     * The path part of a URL decoded: {@code %XX} escapes become characters, {@code +} stays a plus (a URL path is not
     * form data). The router hands wildcard paths over undecoded; an escaped {@code %2F..} must meet the checks of
     * {@link #find} as the {@code /..} it stands for.
     *
     * @throws Refused for a malformed escape
     */
    public static String decodeUrlPath(String raw) throws Refused {
        try {
            return java.net.URLDecoder.decode(raw.replace("+", "%2B"), java.nio.charset.StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            throw new Refused(400, "artifact path: '" + raw + "': " + e.getMessage());
        }
    }

    /**
     * The file {@code relative} (slash-separated, decoded) of job {@code jobId}.
     *
     * @throws Refused naming what is wrong with the job id or the path
     */
    public Artifact find(String jobId, String relative) throws Refused {
        if (root == null) {
            throw new Refused(
                    404,
                    "artifacts: this gateway has no artifact store (set artifactRoot, --artifact-root or STARGAN_ARTIFACT_ROOT)");
        }
        if (jobId == null || !jobId.matches("[A-Za-z0-9._-]{1,64}") || jobId.equals(".") || jobId.equals("..")) {
            throw new Refused(
                    400, "job id: '" + jobId + "', expected 1-64 characters of A-Z a-z 0-9 . _ - (not . or ..)");
        }
        if (relative == null || relative.isEmpty()) {
            throw new Refused(
                    400,
                    "artifact path: empty, expected a file inside the job's directory, e.g. samples/10-images.jpg");
        }
        // Checked on the text before any file-system call: the URL's path is never trusted to stay inside.
        if (relative.startsWith("/") || relative.contains("\\") || relative.indexOf('\0') >= 0) {
            throw new Refused(
                    400, "artifact path: '" + relative + "', expected a relative path inside the job's directory");
        }
        if (Arrays.asList(relative.split("/")).contains("..")) {
            throw new Refused(
                    400, "artifact path: '" + relative + "' contains '..', expected a path inside the job's directory");
        }
        Path jobDir = root.resolve("jobs").resolve(jobId);
        Path realJobDir;
        Path real;
        try {
            realJobDir = jobDir.toRealPath();
            // toRealPath follows every symbolic link on the way: the prefix test below sees where the file really is.
            real = jobDir.resolve(relative).toRealPath();
        } catch (NoSuchFileException e) {
            throw new Refused(404, "artifact '" + relative + "' of job '" + jobId + "': no such file");
        } catch (IOException e) {
            throw new Refused(404, "artifact '" + relative + "' of job '" + jobId + "': " + e.getMessage());
        }
        if (!real.startsWith(realJobDir)) {
            throw new Refused(
                    403, "artifact path: '" + relative + "' leads outside the directory of job '" + jobId + "'");
        }
        if (!Files.isRegularFile(real)) {
            throw new Refused(403, "artifact '" + relative + "' of job '" + jobId + "': not a regular file");
        }
        String type = contentType(real);
        if (type == null) {
            throw new Refused(
                    403,
                    "artifact '" + relative + "' of job '" + jobId
                            + "': not a file the gateway serves (PNG or JPEG image, .json, .jsonl, .safetensors)");
        }
        return new Artifact(real, type);
    }

    /** Images by their first bytes (their names may lie), the trainer's other outputs by extension, else null. */
    static String contentType(Path file) {
        byte[] head;
        try (InputStream in = Files.newInputStream(file)) {
            head = in.readNBytes(8);
        } catch (IOException e) {
            return null;
        }
        String image = ImageSniffer.mediaType(io.vertx.core.buffer.Buffer.buffer(head));
        if (image != null && !image.equals(org.stargan.msg.Protocol.NPY)) {
            return image;
        }
        String name = file.getFileName().toString().toLowerCase(Locale.ROOT);
        if (name.endsWith(".jsonl")) {
            return "application/jsonl";
        }
        if (name.endsWith(".json")) {
            return "application/json";
        }
        if (name.endsWith(".safetensors")) {
            return "application/octet-stream";
        }
        return null;
    }
}
