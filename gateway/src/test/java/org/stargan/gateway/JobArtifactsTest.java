package org.stargan.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A job's files are served from its directory only: every way out is refused with the status that says why. */
class JobArtifactsTest {
    private static final byte[] PNG_HEAD = {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n', 0, 0, 0, 13};

    @TempDir
    Path tmp;

    private Path root;
    private JobArtifacts artifacts;

    @BeforeEach
    void store() throws Exception {
        root = tmp.resolve("artifacts");
        Path job = Files.createDirectories(root.resolve("jobs/j1/samples"));
        Files.write(
                job.resolve("10-images.jpg"), new byte[] {(byte) 0xff, (byte) 0xd8, (byte) 0xff, (byte) 0xe0, 1, 2, 3});
        // Named .jpg but a PNG inside: the bytes decide.
        Files.write(job.resolve("20-images.jpg"), PNG_HEAD);
        Files.createDirectories(root.resolve("jobs/j1/logs"));
        Files.writeString(root.resolve("jobs/j1/logs/metrics.jsonl"), "{\"iteration\": 5}\n");
        Files.writeString(root.resolve("jobs/j1/notes.txt"), "not an artifact type");
        Files.createDirectories(root.resolve("jobs/j2"));
        Files.write(root.resolve("jobs/j2/secret.png"), PNG_HEAD);
        Files.write(tmp.resolve("outside.png"), PNG_HEAD);
        artifacts = new JobArtifacts(root);
    }

    private int refusal(String job, String path) {
        try {
            artifacts.find(job, path);
        } catch (JobArtifacts.Refused e) {
            return e.status();
        }
        throw new AssertionError("served " + job + "/" + path);
    }

    @Test
    void aFileInsideTheJobIsServedWithTheTypeItsBytesOrNameSay() throws Exception {
        JobArtifacts.Artifact jpg = artifacts.find("j1", "samples/10-images.jpg");
        assertThat(jpg.contentType()).isEqualTo("image/jpeg");
        assertThat(jpg.file())
                .isEqualTo(root.resolve("jobs/j1/samples/10-images.jpg").toRealPath());
        assertThat(artifacts.find("j1", "samples/20-images.jpg").contentType()).isEqualTo("image/png");
        assertThat(artifacts.find("j1", "./logs/metrics.jsonl").contentType()).isEqualTo("application/jsonl");
    }

    @Test
    void dotDotAndAbsolutePathsAreRefusedBeforeTouchingTheDisk() {
        assertThat(refusal("j1", "../j2/secret.png")).isEqualTo(400);
        assertThat(refusal("j1", "samples/../../j2/secret.png")).isEqualTo(400);
        assertThat(refusal("j1", "..")).isEqualTo(400);
        assertThat(refusal("j1", tmp.resolve("outside.png").toString())).isEqualTo(400);
        assertThat(refusal("j1", "samples\\..\\..\\j2\\secret.png")).isEqualTo(400);
        assertThat(refusal("..", "jobs/j2/secret.png")).isEqualTo(400);
        assertThat(refusal("j1/../j2", "secret.png")).isEqualTo(400);
        assertThatThrownBy(() -> artifacts.find("j1", "../j2/secret.png"))
                .hasMessageContaining("'../j2/secret.png' contains '..'");
    }

    @Test
    void aSymbolicLinkLeadingOutsideIsRefusedOneStayingInsideIsFollowed() throws Exception {
        Path job = root.resolve("jobs/j1");
        Files.createSymbolicLink(job.resolve("escape.png"), tmp.resolve("outside.png"));
        Files.createSymbolicLink(job.resolve("neighbour"), root.resolve("jobs/j2"));
        Files.createSymbolicLink(job.resolve("latest.jpg"), job.resolve("samples/10-images.jpg"));
        assertThat(refusal("j1", "escape.png")).isEqualTo(403);
        assertThat(refusal("j1", "neighbour/secret.png")).isEqualTo(403);
        assertThatThrownBy(() -> artifacts.find("j1", "escape.png"))
                .hasMessageContaining("leads outside the directory of job 'j1'");
        assertThat(artifacts.find("j1", "latest.jpg").contentType()).isEqualTo("image/jpeg");
    }

    @Test
    void urlPathsAreDecodedSoThatAnEscapedSlashMeetsTheChecks() throws Exception {
        assertThat(JobArtifacts.decodeUrlPath("samples/10-images.jpg")).isEqualTo("samples/10-images.jpg");
        assertThat(JobArtifacts.decodeUrlPath("a%20b+c.png")).isEqualTo("a b+c.png");
        assertThat(JobArtifacts.decodeUrlPath("..%2F..%2Fj2%2Fsecret.png")).isEqualTo("../../j2/secret.png");
        assertThatThrownBy(() -> JobArtifacts.decodeUrlPath("bad%zz"))
                .isInstanceOf(JobArtifacts.Refused.class)
                .hasMessageContaining("'bad%zz'");
        Files.write(root.resolve("jobs/j1/samples/a b.png"), PNG_HEAD);
        assertThat(artifacts
                        .find("j1", JobArtifacts.decodeUrlPath("samples/a%20b.png"))
                        .contentType())
                .isEqualTo("image/png");
    }

    @Test
    // A FIFO opened by mistake would block the test forever: fail instead.
    @org.junit.jupiter.api.Timeout(30)
    void onlyRegularFilesOfKnownKindsThatExistAreServed() throws Exception {
        assertThat(refusal("j1", "samples")).isEqualTo(403);
        assertThat(refusal("j1", "notes.txt")).isEqualTo(403);
        assertThat(refusal("j1", "samples/99-images.jpg")).isEqualTo(404);
        assertThat(refusal("nope", "samples/10-images.jpg")).isEqualTo(404);
        Process mkfifo =
                new ProcessBuilder("mkfifo", root.resolve("jobs/j1/pipe.json").toString()).start();
        assertThat(mkfifo.waitFor()).isZero();
        // A FIFO would block whoever opens it: refused without being opened.
        assertThat(refusal("j1", "pipe.json")).isEqualTo(403);
        assertThatThrownBy(() -> new JobArtifacts(null).find("j1", "samples/10-images.jpg"))
                .hasMessageContaining("no artifact store")
                .extracting(e -> ((JobArtifacts.Refused) e).status())
                .isEqualTo(404);
    }
}
