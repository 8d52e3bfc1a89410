package org.stargan.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.Random;
import java.util.zip.DataFormatException;
import java.util.zip.Inflater;
import org.junit.jupiter.api.Test;

/** Literal-only deflate: what it writes must inflate (with the JDK's zlib) to the very same bytes, checksum checked. */
class HuffmanOnlyDeflateTest {
    @Test
    void everyKindOfDataInflatesToItself() throws DataFormatException {
        Random r = new Random(1);
        for (int t = 0; t < 400; t++) {
            int n = t < 40 ? t : r.nextInt(70_000);
            byte[] data = new byte[n];
            for (int i = 0; i < n; i++) {
                data[i] = (byte)
                        switch (t % 5) {
                            case 0 -> r.nextInt(256); // noise: codes of 8 bits
                            case 1 -> (int) Math.round(r.nextGaussian() * 3); // a generator's residuals
                            case 2 -> 7; // one value only
                            case 3 -> r.nextDouble() < 0.999 ? 0 : r.nextInt(256); // nearly all zero: long codes
                            default -> geometric(r); // each value a third as frequent as the one before
                        };
            }
            // The counts the encoder is given are a sample, as PngEncoder's: every second or third byte.
            int[] counts = new int[256];
            for (int i = 0; i < n; i += 2 + t % 2) {
                counts[data[i] & 0xff]++;
            }
            assertArrayEquals(data, inflate(HuffmanOnlyDeflate.zlib(data, 0, n, counts), n), "case " + t);
        }
    }

    @Test
    void aSliceOfAnArrayIsCodedAlone() throws DataFormatException {
        byte[] data = new byte[1000];
        new Random(2).nextBytes(data);
        assertArrayEquals(
                Arrays.copyOfRange(data, 100, 350),
                inflate(HuffmanOnlyDeflate.zlib(data, 100, 250, new int[256]), 250));
    }

    @Test
    void codesAreCompleteAndNeverLongerThanAllowed() {
        // Frequencies doubling symbol after symbol would need codes of up to 256 bits without the limit.
        int[] literals = new int[257];
        int[] codeLengthSymbols = new int[19];
        for (int s = 0; s < literals.length; s++) {
            literals[s] = s < 30 ? 1 << s : 1;
        }
        for (int s = 0; s < codeLengthSymbols.length; s++) {
            codeLengthSymbols[s] = 1 << s;
        }
        for (int[] freq : new int[][] {literals, codeLengthSymbols}) {
            int max = freq.length == 19 ? 7 : 15;
            int[] lengths = HuffmanOnlyDeflate.codeLengths(freq, max);
            double kraft = 0;
            for (int l : lengths) {
                assertTrue(l >= 1 && l <= max, "length " + l);
                kraft += Math.pow(2, -l);
            }
            assertEquals(1.0, kraft, 1e-12, "a complete code");
        }
        // A single symbol still gets a complete code of two (deflate's inflaters refuse most incomplete ones).
        int[] one = new int[19];
        one[5] = 9;
        int[] lengths = HuffmanOnlyDeflate.codeLengths(one, 7);
        assertEquals(2, Arrays.stream(lengths).filter(l -> l > 0).count());
    }

    @Test
    void runsOfCodeLengthsUseTheRepeatSymbols() {
        int[] lengths = new int[300];
        Arrays.fill(lengths, 0, 4, 8); // 8, then 16 repeating it 3 times
        Arrays.fill(lengths, 200, 220, 5); // 5, 16 (6 times), 16 (6 times), 16 (6 times), 5
        // zeros: 4..199 (196: 18 of 138, 18 of 58) and 220..299 (80: 18 of 80)
        int[] rle = HuffmanOnlyDeflate.runLengths(lengths);
        int[] symbols = Arrays.stream(rle).map(s -> s & 0xff).toArray();
        assertArrayEquals(new int[] {8, 16, 18, 18, 5, 16, 16, 16, 5, 18}, symbols, Arrays.toString(symbols));
        assertEquals(0, rle[1] >>> 8); // 3 repeats
        assertEquals(138 - 11, rle[2] >>> 8);
        assertEquals(58 - 11, rle[3] >>> 8);
        assertEquals(80 - 11, rle[9] >>> 8);
    }

    private static int geometric(Random r) {
        int s = 0;
        while (s < 255 && r.nextInt(3) == 0) {
            s++;
        }
        return s;
    }

    private static byte[] inflate(byte[] zlib, int n) throws DataFormatException {
        Inflater inflater = new Inflater();
        try {
            inflater.setInput(zlib);
            byte[] out = new byte[n + 16];
            int got = 0;
            while (!inflater.finished()) {
                int k = inflater.inflate(out, got, out.length - got);
                assertTrue(k > 0 || inflater.finished(), "inflater stalled after " + got + " bytes");
                got += k;
            }
            assertEquals(0, inflater.getRemaining(), "bytes after the stream's checksum");
            return Arrays.copyOf(out, got);
        } finally {
            inflater.end();
        }
    }
}
