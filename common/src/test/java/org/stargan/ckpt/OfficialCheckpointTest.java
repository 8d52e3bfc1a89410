package org.stargan.ckpt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.stargan.cli.PythonFinder;
import org.stargan.nn.Discriminator;
import org.stargan.nn.DiscriminatorConfig;
import org.stargan.nn.Generator;
import org.stargan.nn.GeneratorConfig;
import org.stargan.testing.HashedWeights;

/**
 * Official checkpoints (written by {@code torch.save} in both formats, see make_fixtures.py) read in Java, exported
 * back, loaded by PyTorch with {@code strict=True}; damaged and hostile files refused with a reason.
 */
class OfficialCheckpointTest {
    private static final GeneratorConfig TINY_G = new GeneratorConfig(4, 3, 1);
    private static final DiscriminatorConfig TINY_D = new DiscriminatorConfig(16, 4, 3, 2);

    @TempDir
    Path tmp;

    @ParameterizedTest
    @ValueSource(strings = {"tiny-G.zip.ckpt", "tiny-G.legacy.ckpt"})
    void generatorCheckpointsInBothTorchFormatsLoadBitExact(String name) throws Exception {
        GeneratorCheckpoint ckpt = GeneratorCheckpoint.load(fixture(name));
        assertThat(ckpt.config()).isEqualTo(TINY_G);
        assertThat(ckpt.format()).isEqualTo("torch");
        assertThat(ckpt.weights())
                .containsOnlyKeys(Generator.parameterShapes(TINY_G).keySet());
        assertBitExact(ckpt.weights(), expectedGenerator(11));
    }

    @ParameterizedTest
    @ValueSource(strings = {"tiny-D.zip.ckpt", "tiny-D.legacy.ckpt"})
    void discriminatorCheckpointsInBothTorchFormatsLoadBitExact(String name) throws Exception {
        Map<String, HostTensor> sd = TorchCheckpointReader.read(fixture(name));
        assertThat(StateDicts.inferDiscriminator(sd, name)).isEqualTo(TINY_D);
        try (NDManager m = NDManager.newBaseManager();
                Discriminator d = new Discriminator(TINY_D, m, DataType.FLOAT32, 0)) {
            HashedWeights.apply(d.parameters(), 22);
            assertBitExact(sd, hostOf(d.parameters().toFloatArrays(), Discriminator.parameterShapes(TINY_D)));
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"tiny-G.legacy.ckpt", "tiny-D.zip.ckpt"})
    void exportedStateDictsLoadStrictlyInPyTorchWithIdenticalTensors(String name) throws Exception {
        Map<String, HostTensor> sd = TorchCheckpointReader.read(fixture(name));
        boolean generator = name.contains("-G");
        Map<String, HostTensor> weights = generator
                ? StateDicts.validate(sd, Generator.parameterShapes(StateDicts.inferGenerator(sd, name)), name)
                : StateDicts.validate(sd, Discriminator.parameterShapes(StateDicts.inferDiscriminator(sd, name)), name);
        Path out = tmp.resolve("exported.ckpt");
        TorchCheckpointWriter.write(out, OfficialExport.entries(weights));
        // Java reads its own export back unchanged...
        Map<String, HostTensor> back = TorchCheckpointReader.read(out);
        assertBitExact(
                StateDicts.validate(
                        back,
                        generator ? Generator.parameterShapes(TINY_G) : Discriminator.parameterShapes(TINY_D),
                        "export"),
                weights);
        // ...and PyTorch's strict load accepts it with every tensor identical.
        List<String> args = generator ? List.of("G", "4", "3", "1", "11") : List.of("D", "16", "4", "3", "2", "22");
        assertThat(runPython("check_export.py", args, out)).startsWith("OK " + weights.size() + " tensors");
    }

    @Test
    void damagedAndForeignFilesAreRefusedWithTheReason() throws Exception {
        byte[] zip = Files.readAllBytes(fixture("tiny-G.zip.ckpt"));
        byte[] legacy = Files.readAllBytes(fixture("tiny-G.legacy.ckpt"));
        Path cut = write("cut.ckpt", java.util.Arrays.copyOf(zip, zip.length / 2));
        assertThatThrownBy(() -> GeneratorCheckpoint.load(cut))
                .isInstanceOf(CheckpointFormatException.class)
                .hasMessageContaining("cut.ckpt");
        Path cutLegacy = write("cut-legacy.ckpt", java.util.Arrays.copyOf(legacy, legacy.length - 100));
        assertThatThrownBy(() -> GeneratorCheckpoint.load(cutLegacy))
                .isInstanceOf(CheckpointFormatException.class)
                .hasMessageContaining("truncated");
        Path text = write("notes.ckpt", "just some text".getBytes(StandardCharsets.UTF_8));
        assertThatThrownBy(() -> GeneratorCheckpoint.load(text)).hasMessageContaining("not a PyTorch checkpoint");
        Path empty = write("empty.ckpt", new byte[0]);
        assertThatThrownBy(() -> GeneratorCheckpoint.load(empty)).hasMessageContaining("too short");
        assertThatThrownBy(() -> GeneratorCheckpoint.load(fixture("tiny-D.zip.ckpt")))
                .hasMessageContaining("not a StarGAN generator state dict");
        assertThatThrownBy(() -> GeneratorCheckpoint.load(tmp.resolve("missing.ckpt")))
                .hasMessageContaining("no such file");
    }

    @Test
    void aPickleThatWouldRunCodeIsRefused() throws Exception {
        // The classic payload: os.system('echo pwned') via GLOBAL + REDUCE, inside a zip like torch.save writes.
        ByteArrayOutputStream pkl = new ByteArrayOutputStream();
        pkl.write(0x80);
        pkl.write(2);
        pkl.writeBytes("cos\nsystem\n".getBytes(StandardCharsets.US_ASCII));
        pkl.writeBytes("X\u000b\u0000\u0000\u0000echo pwned\u0085R.".getBytes(StandardCharsets.ISO_8859_1));
        Path evil = tmp.resolve("evil.ckpt");
        try (var zip = new java.util.zip.ZipOutputStream(Files.newOutputStream(evil))) {
            zip.putNextEntry(new java.util.zip.ZipEntry("archive/data.pkl"));
            zip.write(pkl.toByteArray());
            zip.closeEntry();
        }
        assertThatThrownBy(() -> GeneratorCheckpoint.load(evil))
                .isInstanceOf(CheckpointFormatException.class)
                .hasMessageContaining("refusing pickle global 'os.system'");
    }

    @Test
    void aStateDictOfTheWrongShapeNamesTheKeyAndBothShapes() throws Exception {
        Map<String, HostTensor> weights = new LinkedHashMap<>(expectedGenerator(11));
        weights.put("main.4.weight", new HostTensor(new long[] {9}, new float[9]));
        Path bad = tmp.resolve("bad-G.ckpt");
        TorchCheckpointWriter.write(bad, OfficialExport.entries(weights));
        assertThatThrownBy(() -> GeneratorCheckpoint.load(bad))
                .hasMessageContaining("'main.4.weight' has shape [9], expected [8]");
    }

    @Test
    void nativeFormatKeepsWeightsAndModelInformation() throws Exception {
        GeneratorCheckpoint official = GeneratorCheckpoint.load(fixture("tiny-G.zip.ckpt"));
        ModelInfo info = new ModelInfo(
                List.of("Black_Hair", "Blond_Hair", "Male"),
                List.of(List.of("Black_Hair", "Blond_Hair")),
                16,
                "celeba",
                1234,
                "{}");
        Path path = tmp.resolve("1234-G.safetensors");
        new GeneratorCheckpoint(official.config(), official.weights(), info, "safetensors").save(path);
        GeneratorCheckpoint back = GeneratorCheckpoint.load(path);
        assertThat(back.format()).isEqualTo("safetensors");
        assertThat(back.info()).isEqualTo(info);
        assertThat(back.config()).isEqualTo(TINY_G);
        assertBitExact(back.weights(), official.weights());
        try (var files = Files.list(tmp)) {
            assertThat(files.map(p -> p.getFileName().toString())).containsExactly("1234-G.safetensors");
        }
    }

    private Map<String, HostTensor> expectedGenerator(long seed) {
        try (NDManager m = NDManager.newBaseManager();
                Generator g = new Generator(TINY_G, m, DataType.FLOAT32, 0)) {
            HashedWeights.apply(g.parameters(), seed);
            return hostOf(g.parameters().toFloatArrays(), Generator.parameterShapes(TINY_G));
        }
    }

    private static Map<String, HostTensor> hostOf(Map<String, float[]> values, Map<String, long[]> shapes) {
        Map<String, HostTensor> out = new LinkedHashMap<>();
        values.forEach((k, v) -> out.put(k, new HostTensor(shapes.get(k), v)));
        return out;
    }

    private static void assertBitExact(Map<String, HostTensor> actual, Map<String, HostTensor> expected) {
        for (Map.Entry<String, HostTensor> e : expected.entrySet()) {
            HostTensor a = actual.get(e.getKey());
            assertThat(a).as(e.getKey()).isNotNull();
            assertThat(a.shape()).as(e.getKey()).containsExactly(e.getValue().shape());
            assertThat(a.values()).as(e.getKey()).containsExactly(e.getValue().values());
        }
    }

    private Path write(String name, byte[] bytes) throws IOException {
        Path p = tmp.resolve(name);
        Files.write(p, bytes);
        return p;
    }

    static Path fixture(String name) throws Exception {
        return Path.of(
                OfficialCheckpointTest.class.getResource("/parity/" + name).toURI());
    }

    /** Runs a script of common/python with the interpreter that has torch; fails (never skips) without one. */
    static String runPython(String script, List<String> args, Path file) throws Exception {
        Path dir = Path.of(System.getProperty("stargan.python.dir", "python")).toAbsolutePath();
        List<String> cmd = new ArrayList<>(
                List.of(PythonFinder.withTorch(), dir.resolve(script).toString()));
        cmd.addAll(args);
        cmd.add(file.toString());
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(120, TimeUnit.SECONDS)).as("python finished").isTrue();
        assertThat(p.exitValue())
                .as("python %s exit status; output:%n%s", script, out)
                .isZero();
        return out.strip().lines().reduce((a, b) -> b).orElse("");
    }
}
