package org.stargan.cli;

import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import javax.imageio.ImageIO;
import org.stargan.ckpt.AtomicFiles;
import org.stargan.data.ImageCodec;
import org.stargan.face.Face;
import org.stargan.face.FaceDetector;
import org.stargan.face.Photo;
import org.stargan.face.PhotoCrops;
import org.stargan.infer.Translator;
import org.stargan.msg.PhotoOptions;

/**
 * {@code stargan translate} on a photo ({@code --crop face|center|none}, {@code --paste}, {@code --faces}): the photo
 * is cropped as asked (faces found and aligned as CelebA's), translated, and either pasted back into the photo at its
 * own size (under a feathered mask; the output file's format, with the photo's EXIF block when both are JPEG) or
 * written as the translated crops, one row per face.
 */
final class TranslatePhoto {
    private TranslatePhoto() {}

    /** Translates {@code input} into every target; returns how many crops went through the generator. */
    static int run(
            Path input,
            Path output,
            PhotoOptions options,
            int size,
            Translator translator,
            List<float[]> targets,
            PrintStream err)
            throws IOException {
        String outName = output.getFileName().toString();
        if (outName.toLowerCase(Locale.ROOT).endsWith(".npy") && options.paste()) {
            throw new org.stargan.options.OptionException(
                    "translate: --paste writes the photo: --output must be .png or .jpg, not " + outName);
        }
        Photo photo =
                Photo.decode(Files.readAllBytes(input), input.getFileName().toString());
        PhotoCrops crops = PhotoCrops.prepare(
                photo,
                options,
                size,
                options.crop() == PhotoOptions.Crop.FACE ? new FaceDetector() : null,
                "--crop face",
                "--crop center");
        for (Face f : crops.faces()) {
            err.printf(
                    "face at %d,%d (%d×%d), eyes %s at (%.1f, %.1f) and (%.1f, %.1f)%n",
                    f.box().x(),
                    f.box().y(),
                    f.box().width(),
                    f.box().height(),
                    switch (f.eyesFound()) {
                        case 2 -> "found";
                        case 1 -> "one found, one mirrored";
                        default -> "estimated from the box";
                    },
                    f.leftEye().x(),
                    f.leftEye().y(),
                    f.rightEye().x(),
                    f.rightEye().y());
        }
        int n = crops.count();
        List<float[]> results = new ArrayList<>();
        for (float[] c : targets) {
            float[] labels = new float[n * c.length];
            for (int i = 0; i < n; i++) {
                System.arraycopy(c, 0, labels, i * c.length, c.length);
            }
            results.add(translator.translate(crops.inputs(), n, size, size, labels));
        }
        if (!options.paste()) {
            TranslateCommand.writeResults(output, crops.inputs(), results, n, size, size, targets.size() > 1);
            return n;
        }
        String format = ImageCodec.formatOf(outName).equals("png") ? "png" : "jpeg";
        if (results.size() == 1) {
            byte[] edited = crops.pasteBack(results.get(0)).encode(format);
            AtomicFiles.write(output, os -> os.write(edited));
            return n;
        }
        // Several targets (--all-domains): the photo, then each translation of it, side by side.
        List<BufferedImage> columns = new ArrayList<>();
        columns.add(ImageIO.read(new ByteArrayInputStream(photo.encode("png"))));
        for (float[] r : results) {
            columns.add(ImageIO.read(new ByteArrayInputStream(crops.pasteBack(r).encode("png"))));
        }
        BufferedImage row = sideBySide(columns);
        AtomicFiles.write(output, os -> ImageCodec.write(row, outName, os));
        return n;
    }

    private static BufferedImage sideBySide(List<BufferedImage> images) {
        int w = images.get(0).getWidth();
        int h = images.get(0).getHeight();
        BufferedImage row = new BufferedImage(w * images.size(), h, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = row.createGraphics();
        for (int i = 0; i < images.size(); i++) {
            g.drawImage(images.get(i), i * w, 0, null);
        }
        g.dispose();
        return row;
    }
}
