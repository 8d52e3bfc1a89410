package org.stargan.data;

import java.util.Arrays;
import java.util.zip.Adler32;

/**
 * A zlib stream (RFC 1950) of one deflate block (RFC 1951) that codes every byte as a literal with a Huffman code made
 * for these bytes: no search for repeated strings. On a PNG's filtered rows of a generator's output the string search
 * gains little (residuals rarely repeat), and it is what made the system's zlib slow in the served path: its hash
 * tables (about 256 kB per stream, cleared for each) are touched at random for every byte and did not stay in the
 * cache beside the generator's threads, so deflating a 48 px answer took 2.4 times as long in the worker as on a quiet
 * core. This keeps only a 257-entry code table. Any inflater reads the result (the tests inflate it with the JDK's).
 */
final class HuffmanOnlyDeflate {
    private static final int END_OF_BLOCK = 256;
    private static final int LITERALS = 257;
    /** The longest code deflate allows for literals, and for the code lengths' own code. */
    private static final int MAX_BITS = 15;

    private static final int MAX_LENGTH_CODE_BITS = 7;
    /** The order in which the code lengths' code lengths are sent (RFC 1951, 3.2.7). */
    private static final int[] LENGTH_CODE_ORDER = {16, 17, 18, 0, 8, 7, 9, 6, 10, 5, 11, 4, 12, 3, 13, 2, 14, 1, 15};

    private HuffmanOnlyDeflate() {}

    /**
     * The zlib stream of {@code data[off, off + len)}, coded with a code made for {@code counts}: how often each byte
     * value occurs in the data, or in a sample of it (every value is given a code, so a sample's missing values cost
     * nothing but a slightly longer code for the others).
     */
    static byte[] zlib(byte[] data, int off, int len, int[] counts) {
        int[] freq = new int[LITERALS];
        for (int v = 0; v < 256; v++) {
            freq[v] = counts[v] + 1;
        }
        freq[END_OF_BLOCK] = 1;
        int[] litLengths = codeLengths(freq, MAX_BITS);
        int[] litCodes = canonicalCodes(litLengths, MAX_BITS);
        // No distances are used, but a complete code of two 1-bit distance codes keeps every inflater content (zlib's
        // deflate sends the same when it has no distances).
        int[] distLengths = {1, 1};

        // The two alphabets' code lengths as one sequence, run-length coded with symbols 16, 17 and 18.
        int[] all = new int[LITERALS + distLengths.length];
        System.arraycopy(litLengths, 0, all, 0, LITERALS);
        System.arraycopy(distLengths, 0, all, LITERALS, distLengths.length);
        int[] rle = runLengths(all); // symbol | extra value << 8
        int[] lengthFreq = new int[19];
        for (int s : rle) {
            lengthFreq[s & 0xff]++;
        }
        int[] lcLengths = codeLengths(lengthFreq, MAX_LENGTH_CODE_BITS);
        int[] lcCodes = canonicalCodes(lcLengths, MAX_LENGTH_CODE_BITS);
        int sent = 19;
        while (sent > 4 && lcLengths[LENGTH_CODE_ORDER[sent - 1]] == 0) {
            sent--;
        }

        // Room for the longest codes (15 bits a byte) and the header, so the loop over the data never grows it.
        BitWriter out = new BitWriter(2 * len + 512);
        out.bytes(0x78, 0x01); // deflate, 32 kB window, no dictionary; (0x78 · 256 + 0x01) is a multiple of 31
        out.bits(1, 1); // the final block
        out.bits(2, 2); // dynamic Huffman codes
        out.bits(LITERALS - 257, 5);
        out.bits(distLengths.length - 1, 5);
        out.bits(sent - 4, 4);
        for (int i = 0; i < sent; i++) {
            out.bits(lcLengths[LENGTH_CODE_ORDER[i]], 3);
        }
        for (int s : rle) {
            int symbol = s & 0xff;
            out.bits(lcCodes[symbol], lcLengths[symbol]);
            switch (symbol) {
                case 16 -> out.bits(s >>> 8, 2);
                case 17 -> out.bits(s >>> 8, 3);
                case 18 -> out.bits(s >>> 8, 7);
                default -> {}
            }
        }
        out.literals(data, off, len, litCodes, litLengths);
        out.bits(litCodes[END_OF_BLOCK], litLengths[END_OF_BLOCK]);
        out.flushToByte();
        Adler32 adler = new Adler32();
        adler.update(data, off, len);
        long a = adler.getValue();
        out.bytes((int) (a >>> 24), (int) (a >>> 16), (int) (a >>> 8), (int) a);
        return out.toByteArray();
    }

    /**
     * Huffman code lengths for {@code freq}, none over {@code maxBits}, at least two symbols coded (a complete code,
     * which every inflater accepts). Over-long codes are avoided as many encoders do: the frequencies are halved
     * (staying above zero) and the code made again; with every frequency 1 the tree is balanced, so this ends.
     */
    static int[] codeLengths(int[] freq, int maxBits) {
        int n = freq.length;
        if (n > 1 << maxBits) {
            throw new IllegalArgumentException(n + " symbols cannot have codes of at most " + maxBits + " bits");
        }
        int[] f = freq.clone();
        int used = 0;
        for (int v : f) {
            used += v > 0 ? 1 : 0;
        }
        for (int s = 0; used < 2; s++) {
            if (f[s] == 0) {
                f[s] = 1;
                used++;
            }
        }
        while (true) {
            int[] lengths = huffmanLengths(f, used);
            int longest = Arrays.stream(lengths).max().orElse(0);
            if (longest <= maxBits) {
                return lengths;
            }
            for (int s = 0; s < n; s++) {
                if (f[s] > 0) {
                    f[s] = (f[s] + 1) / 2;
                }
            }
        }
    }

    /** The depth of each symbol in a Huffman tree of the {@code used} symbols with a frequency (two queues, sorted). */
    private static int[] huffmanLengths(int[] f, int used) {
        int n = f.length;
        long[] sorted = new long[used];
        for (int s = 0, i = 0; s < n; s++) {
            if (f[s] > 0) {
                sorted[i++] = ((long) f[s] << 16) | s;
            }
        }
        Arrays.sort(sorted);
        int nodes = 2 * used - 1;
        long[] weight = new long[nodes];
        int[] parent = new int[nodes];
        for (int i = 0; i < used; i++) {
            weight[i] = sorted[i] >>> 16;
        }
        // Leaves in order of weight; internal nodes are made in order of weight too, so the two smallest are always
        // at the heads of the two queues.
        int leaf = 0;
        int inner = used;
        for (int next = used; next < nodes; next++) {
            int a = leaf < used && (inner >= next || weight[leaf] <= weight[inner]) ? leaf++ : inner++;
            int b = leaf < used && (inner >= next || weight[leaf] <= weight[inner]) ? leaf++ : inner++;
            weight[next] = weight[a] + weight[b];
            parent[a] = next;
            parent[b] = next;
        }
        int[] depth = new int[nodes];
        for (int i = nodes - 2; i >= 0; i--) {
            depth[i] = depth[parent[i]] + 1;
        }
        int[] lengths = new int[n];
        for (int i = 0; i < used; i++) {
            lengths[(int) (sorted[i] & 0xffff)] = depth[i];
        }
        return lengths;
    }

    /** Canonical codes for {@code lengths} (RFC 1951, 3.2.2), bit-reversed: deflate sends a code's first bit first. */
    static int[] canonicalCodes(int[] lengths, int maxBits) {
        int[] count = new int[maxBits + 1];
        for (int l : lengths) {
            if (l > 0) {
                count[l]++;
            }
        }
        int[] next = new int[maxBits + 1];
        for (int bits = 1, code = 0; bits <= maxBits; bits++) {
            code = (code + count[bits - 1]) << 1;
            next[bits] = code;
        }
        int[] codes = new int[lengths.length];
        for (int s = 0; s < lengths.length; s++) {
            int l = lengths[s];
            if (l > 0) {
                codes[s] = Integer.reverse(next[l]++) >>> (32 - l);
            }
        }
        return codes;
    }

    /**
     * {@code lengths} run-length coded as deflate's code-length alphabet: 0–15 as they are, 16 repeats the
     * previous length 3–6 times, 17 and 18 give 3–10 and 11–138 zeros; each entry is the symbol, its extra bits'
     * value shifted left by 8.
     */
    static int[] runLengths(int[] lengths) {
        int[] out = new int[lengths.length];
        int k = 0;
        for (int i = 0; i < lengths.length; ) {
            int l = lengths[i];
            int run = 1;
            while (i + run < lengths.length && lengths[i + run] == l) {
                run++;
            }
            i += run;
            if (l == 0) {
                while (run >= 11) {
                    int r = Math.min(run, 138);
                    out[k++] = 18 | (r - 11) << 8;
                    run -= r;
                }
                if (run >= 3) {
                    out[k++] = 17 | (run - 3) << 8;
                    run = 0;
                }
            } else {
                out[k++] = l;
                run--;
                while (run >= 3) {
                    int r = Math.min(run, 6);
                    out[k++] = 16 | (r - 3) << 8;
                    run -= r;
                }
            }
            for (; run > 0; run--) {
                out[k++] = l;
            }
        }
        return Arrays.copyOf(out, k);
    }

    /** Bits packed first bit lowest, as deflate sends them. */
    private static final class BitWriter {
        private byte[] buf;
        private int n;
        private long acc;
        private int count;

        BitWriter(int capacity) {
            buf = new byte[capacity];
        }

        void bits(int value, int length) {
            acc |= (long) value << count;
            count += length;
            if (count >= 32) {
                ensure(4);
                putLowFour(buf, n, acc);
                n += 4;
                acc >>>= 32;
                count -= 32;
            }
        }

        /** Each byte's code: the loop that takes nearly all the time, on locals, one table look-up per byte. */
        void literals(byte[] data, int off, int len, int[] codes, int[] lengths) {
            int[] table = new int[256];
            for (int v = 0; v < 256; v++) {
                table[v] = codes[v] | lengths[v] << 16;
            }
            ensure(2 * len + 8);
            byte[] b = buf;
            int p = n;
            long a = acc;
            int c = count;
            for (int i = off, end = off + len; i < end; i++) {
                int t = table[data[i] & 0xff];
                a |= (long) (t & 0xffff) << c;
                c += t >>> 16;
                if (c >= 32) {
                    putLowFour(b, p, a);
                    p += 4;
                    a >>>= 32;
                    c -= 32;
                }
            }
            n = p;
            acc = a;
            count = c;
        }

        /** The low 32 bits of {@code bits}, lowest byte first, at {@code at}. */
        private static void putLowFour(byte[] b, int at, long bits) {
            b[at] = (byte) bits;
            b[at + 1] = (byte) (bits >>> 8);
            b[at + 2] = (byte) (bits >>> 16);
            b[at + 3] = (byte) (bits >>> 24);
        }

        void flushToByte() {
            while (count > 0) {
                ensure(1);
                buf[n++] = (byte) acc;
                acc >>>= 8;
                count = Math.max(0, count - 8);
            }
            acc = 0;
        }

        void bytes(int... values) {
            ensure(values.length);
            for (int v : values) {
                buf[n++] = (byte) v;
            }
        }

        private void ensure(int more) {
            if (n + more > buf.length) {
                buf = Arrays.copyOf(buf, Math.max(buf.length * 2, n + more));
            }
        }

        byte[] toByteArray() {
            return Arrays.copyOf(buf, n);
        }
    }
}
