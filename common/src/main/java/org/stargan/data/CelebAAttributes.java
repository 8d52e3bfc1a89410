package org.stargan.data;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The CelebA attribute file {@code list_attr_celeba.txt}: line 1 the image count, line 2 the 40 attribute names,
 * then one line per image, {@code file v1 … v40} with values ±1.
 *
 * @param names attribute names in file order
 * @param files image file names in file order
 * @param values one row of ±1 per file
 */
public record CelebAAttributes(List<String> names, List<String> files, List<int[]> values) {
    /** The 40 CelebA attributes in the official file's order. */
    public static final List<String> CELEBA_40 = List.of(
            "5_o_Clock_Shadow",
            "Arched_Eyebrows",
            "Attractive",
            "Bags_Under_Eyes",
            "Bald",
            "Bangs",
            "Big_Lips",
            "Big_Nose",
            "Black_Hair",
            "Blond_Hair",
            "Blurry",
            "Brown_Hair",
            "Bushy_Eyebrows",
            "Chubby",
            "Double_Chin",
            "Eyeglasses",
            "Goatee",
            "Gray_Hair",
            "Heavy_Makeup",
            "High_Cheekbones",
            "Male",
            "Mouth_Slightly_Open",
            "Mustache",
            "Narrow_Eyes",
            "No_Beard",
            "Oval_Face",
            "Pale_Skin",
            "Pointy_Nose",
            "Receding_Hairline",
            "Rosy_Cheeks",
            "Sideburns",
            "Smiling",
            "Straight_Hair",
            "Wavy_Hair",
            "Wearing_Earrings",
            "Wearing_Hat",
            "Wearing_Lipstick",
            "Wearing_Necklace",
            "Wearing_Necktie",
            "Young");

    /** Parses the file, naming the file and line of the first problem. */
    public static CelebAAttributes read(Path path) throws IOException {
        String src = path.getFileName().toString();
        if (!Files.isRegularFile(path)) {
            throw new IllegalArgumentException(path + ": attribute file not found");
        }
        try (BufferedReader in = Files.newBufferedReader(path, StandardCharsets.UTF_8)) {
            String first = in.readLine();
            String second = in.readLine();
            if (first == null || second == null) {
                throw new IllegalArgumentException(src + ": expected a count on line 1 and attribute names on line 2");
            }
            int count;
            try {
                count = Integer.parseInt(first.trim());
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException(src + ":1: '" + first.trim() + "' is not the image count");
            }
            List<String> names = List.of(second.trim().split("\\s+"));
            List<String> files = new ArrayList<>();
            List<int[]> values = new ArrayList<>();
            int lineNo = 2;
            for (String line; (line = in.readLine()) != null; ) {
                lineNo++;
                String t = line.trim();
                if (t.isEmpty()) {
                    continue;
                }
                String[] parts = t.split("\\s+");
                if (parts.length != names.size() + 1) {
                    throw new IllegalArgumentException(
                            src + ":" + lineNo + ": " + (parts.length - 1) + " values, expected " + names.size());
                }
                int[] v = new int[names.size()];
                for (int i = 0; i < v.length; i++) {
                    String s = parts[i + 1];
                    if (s.equals("1")) {
                        v[i] = 1;
                    } else if (s.equals("-1")) {
                        v[i] = -1;
                    } else {
                        throw new IllegalArgumentException(
                                src + ":" + lineNo + ": value '" + s + "' for " + names.get(i) + ", expected 1 or -1");
                    }
                }
                files.add(parts[0]);
                values.add(v);
            }
            if (files.size() != count) {
                throw new IllegalArgumentException(
                        src + ": line 1 says " + count + " images, the file lists " + files.size());
            }
            return new CelebAAttributes(names, files, values);
        }
    }

    /** Column indices of {@code selected}, failing with the unknown name and the known ones. */
    public int[] columns(List<String> selected) {
        int[] idx = new int[selected.size()];
        for (int i = 0; i < idx.length; i++) {
            idx[i] = names.indexOf(selected.get(i));
            if (idx[i] < 0) {
                throw new IllegalArgumentException(
                        "--selected-attrs: unknown attribute '" + selected.get(i) + "'; the file has " + names);
            }
        }
        return idx;
    }

    /** Writes the file in CelebA's exact layout. */
    public void write(Writer out) throws IOException {
        out.write(files.size() + "\n");
        out.write(String.join(" ", names) + " \n");
        for (int i = 0; i < files.size(); i++) {
            StringBuilder sb = new StringBuilder(files.get(i));
            for (int v : values.get(i)) {
                sb.append(v == 1 ? "  1" : " -1");
            }
            out.write(sb.append('\n').toString());
        }
    }

    @Override
    public String toString() {
        return files.size() + " images × " + names.size() + " attributes";
    }
}
