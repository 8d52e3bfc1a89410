package org.stargan.face;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import ai.djl.Device;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.opencv.core.Mat;
import org.stargan.ckpt.GeneratorCheckpoint;
import org.stargan.infer.Translator;
import org.stargan.msg.FaceBox;
import org.stargan.msg.PhotoOptions;
import org.stargan.testing.RealPhotos;

/**
 * Faces in real photographs (the skimage astronaut, matplotlib's Grace Hopper) are found where a person marked them,
 * aligned so their eyes land where CelebA's do, and the translation pasted back changes nothing outside the crop.
 */
class RealPhotoTest {
    /** Crop side of the official CelebA model. */
    private static final int SIZE = 128;

    private static final PhotoOptions FACE_PASTE =
            new PhotoOptions(PhotoOptions.Crop.FACE, true, PhotoOptions.Faces.LARGEST);

    @TempDir
    static Path tmp;

    private static FaceDetector detector;
    private static Translator generator;

    @BeforeAll
    static void load() throws Exception {
        detector = new FaceDetector();
        // A real generator in the official format (written by torch.save; c_dim 3): its output differs from its
        // input everywhere, so whatever it pastes shows.
        Path ckpt = tmp.resolve("tiny-G.ckpt");
        try (var in = RealPhotoTest.class.getResourceAsStream("/parity/tiny-G.zip.ckpt")) {
            Files.copy(in, ckpt);
        }
        generator = new Translator(GeneratorCheckpoint.load(ckpt), Device.cpu(), 4);
    }

    @AfterAll
    static void close() {
        generator.close();
    }

    private static Face onlyFace(RealPhotos.Annotated a) throws Exception {
        List<Face> faces =
                detector.detect(Photo.decode(a.bytes(), a.path().toString()).bgr());
        assertThat(faces).as("faces in %s", a.path().getFileName()).hasSize(1);
        return faces.get(0);
    }

    /** The box overlaps the person's box by IoU ≥ 0.5 and its centre is within a tenth of the face's width. */
    @Test
    void theFaceInEachPhotoIsFoundWhereAPersonMarkedIt() throws Exception {
        for (RealPhotos.Annotated a : List.of(RealPhotos.ASTRONAUT, RealPhotos.GRACE_HOPPER)) {
            Face face = onlyFace(a);
            FaceBox b = face.box();
            double ix = Math.max(0, Math.min(b.x() + b.width(), a.faceX1()) - Math.max(b.x(), a.faceX0()));
            double iy = Math.max(0, Math.min(b.y() + b.height(), a.faceY1()) - Math.max(b.y(), a.faceY0()));
            double marked = (double) (a.faceX1() - a.faceX0()) * (a.faceY1() - a.faceY0());
            double iou = ix * iy / ((double) b.width() * b.height() + marked - ix * iy);
            assertThat(iou)
                    .as("IoU of %s with the marked face of %s", b, a.path().getFileName())
                    .isGreaterThan(0.5);
            double dx = b.x() + b.width() / 2.0 - (a.faceX0() + a.faceX1()) / 2.0;
            double dy = b.y() + b.height() / 2.0 - (a.faceY0() + a.faceY1()) / 2.0;
            assertThat(Math.hypot(dx, dy))
                    .as("box centre's distance from the marked face's centre")
                    .isLessThan(0.1 * (a.faceX1() - a.faceX0()));
            assertThat(face.eyesFound()).as("eyes found by the eye detectors").isEqualTo(2);
        }
    }

    /** The person-marked eyes land within 3 px of CelebA's eye positions in the 128 px crop. */
    @Test
    void alignmentPutsTheEyesWhereCelebAPutsThem() throws Exception {
        Face.Point left = CelebAAlignment.leftEyeTarget(SIZE);
        Face.Point right = CelebAAlignment.rightEyeTarget(SIZE);
        // (69.5, 91.5) and (108.5, 91.5) in the 178 px centre crop, scaled to 128.
        assertThat(left.x()).isCloseTo(49.98, within(0.01));
        assertThat(right.x()).isCloseTo(78.02, within(0.01));
        assertThat(left.y()).isCloseTo(65.80, within(0.01));
        for (RealPhotos.Annotated a : List.of(RealPhotos.ASTRONAUT, RealPhotos.GRACE_HOPPER)) {
            CropTransform t = CelebAAlignment.transform(onlyFace(a), SIZE);
            Face.Point l = t.apply(new Face.Point(a.leftEyeX(), a.leftEyeY()));
            Face.Point r = t.apply(new Face.Point(a.rightEyeX(), a.rightEyeY()));
            assertThat(l.distance(left))
                    .as("%s: image-left eye at %s", a.path().getFileName(), l)
                    .isLessThan(3);
            assertThat(r.distance(right))
                    .as("%s: image-right eye at %s", a.path().getFileName(), r)
                    .isLessThan(3);
        }
    }

    @Test
    void photosWithoutAFaceAreRefusedSayingSo() throws Exception {
        for (String name : RealPhotos.NO_FACE) {
            Photo photo = Photo.decode(RealPhotos.noFace(name), name);
            assertThatThrownBy(() -> PhotoCrops.prepare(
                            photo, FACE_PASTE, SIZE, detector, "stargan.crop=face", "stargan.crop=center"))
                    .as(name)
                    .isInstanceOf(NoFaceFoundException.class)
                    .hasMessageContaining("no face found in the " + photo.width() + "×" + photo.height() + " photo")
                    .hasMessageContaining("stargan.crop=face")
                    .hasMessageContaining("stargan.crop=center");
        }
    }

    /** Pasted back, the photo keeps its size and every pixel outside the aligned crop, byte for byte (PNG). */
    @Test
    void pasteBackChangesOnlyTheFaceCropAndKeepsTheSize() throws Exception {
        byte[] png = RealPhotos.ASTRONAUT.bytes();
        Photo photo = Photo.decode(png, "astronaut.png");
        PhotoCrops crops = PhotoCrops.prepare(photo, FACE_PASTE, SIZE, detector, "crop=face", "crop=center");
        byte[] answer = crops.pasteBack(translate(crops)).encode("png");
        Photo edited = Photo.decode(answer, "answer.png");
        assertThat(edited.format()).isEqualTo("png");
        assertThat(edited.width()).isEqualTo(512);
        assertThat(edited.height()).isEqualTo(512);
        byte[] before = pixels(photo.bgr());
        byte[] after = pixels(edited.bgr());
        CropTransform t = crops.transforms().get(0);
        int outsideChanged = 0;
        int inside = 0;
        int insideChanged = 0;
        for (int y = 0; y < 512; y++) {
            for (int x = 0; x < 512; x++) {
                Face.Point p = t.apply(new Face.Point(x + 0.5, y + 0.5));
                boolean in = p.x() >= 0 && p.y() >= 0 && p.x() < SIZE && p.y() < SIZE;
                boolean changed = false;
                for (int k = 0; k < 3; k++) {
                    changed |= before[3 * (y * 512 + x) + k] != after[3 * (y * 512 + x) + k];
                }
                if (in) {
                    inside++;
                    insideChanged += changed ? 1 : 0;
                } else {
                    outsideChanged += changed ? 1 : 0;
                }
            }
        }
        assertThat(outsideChanged).as("pixels changed outside the crop").isZero();
        assertThat(insideChanged)
                .as("pixels changed inside the crop (of %d)", inside)
                .isGreaterThan(inside / 2);
    }

    /**
     * A camera JPEG stores its pixels sideways with EXIF orientation 6: the face is found in the upright picture, and
     * the answer is stored sideways again under the same EXIF block, so it displays as the original does.
     */
    @Test
    void exifOrientationIsAppliedForDetectionAndKeptInTheAnswer() throws Exception {
        Photo upright = Photo.decode(RealPhotos.GRACE_HOPPER.bytes(), "grace_hopper.jpg");
        byte[] sideways = ExifJpegs.sideways(upright.bgr(), 6);
        Photo photo = Photo.decode(sideways, "sideways.jpg");
        assertThat(photo.exif().orientation()).isEqualTo(6);
        assertThat(photo.width()).isEqualTo(512);
        assertThat(photo.height()).isEqualTo(600);
        FaceBox plain = onlyFace(RealPhotos.GRACE_HOPPER).box();
        PhotoCrops crops = PhotoCrops.prepare(photo, FACE_PASTE, SIZE, detector, "crop=face", "crop=center");
        FaceBox found = crops.faces().get(0).box();
        assertThat(Math.abs(found.x() - plain.x()) + Math.abs(found.y() - plain.y()))
                .as("box %s in the upright picture vs %s in the original", found, plain)
                .isLessThan(12);
        byte[] answer = crops.pasteBack(translate(crops)).encode("jpeg");
        assertThat(JpegExif.read(answer).segment()).isEqualTo(photo.exif().segment());
        var stored = javax.imageio.ImageIO.read(new java.io.ByteArrayInputStream(answer));
        assertThat(stored.getWidth()).as("stored width, as the camera's").isEqualTo(600);
        assertThat(stored.getHeight()).isEqualTo(512);
    }

    private static float[] translate(PhotoCrops crops) {
        float[] labels = new float[crops.count() * 3];
        for (int i = 0; i < crops.count(); i++) {
            labels[3 * i + 1] = 1;
        }
        return generator.translate(crops.inputs(), crops.count(), SIZE, SIZE, labels);
    }

    private static byte[] pixels(Mat bgr) {
        byte[] b = new byte[(int) bgr.total() * 3];
        bgr.get(0, 0, b);
        return b;
    }
}
