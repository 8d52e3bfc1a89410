package org.stargan.ckpt;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

/**
 * A pickle reader for exactly the subset {@code torch.save(state_dict)} uses: dicts, lists, tuples, numbers,
 * strings, {@code collections.OrderedDict}, tensor rebuild calls and storage references. Any other global (the way a
 * pickle runs code) is refused, so loading a checkpoint cannot execute anything.
 */
final class StateDictUnpickler {
    /** A whitelisted global such as {@code torch.FloatStorage}. */
    record Global(String module, String name) {
        String qualified() {
            return module + "." + name;
        }
    }

    /** A reference to a tensor: its storage, and how it views it. */
    record TensorRef(Storage storage, long offset, long[] size, long[] stride) {}

    /**
     * Raw storage bytes of one element type ({@code torch.FloatStorage}, ...). Legacy files deliver the bytes after
     * the object that references them, so they are filled in later; a legacy view shares its root's bytes from an
     * element offset.
     */
    static final class Storage {
        final String type;
        final Storage root;
        final long elementOffset;
        byte[] bytes;

        Storage(String type, byte[] bytes) {
            this(type, bytes, null, 0);
        }

        Storage(String type, byte[] bytes, Storage root, long elementOffset) {
            this.type = type;
            this.bytes = bytes;
            this.root = root;
            this.elementOffset = elementOffset;
        }
    }

    private static final Set<String> ALLOWED_GLOBALS = Set.of(
            "collections.OrderedDict",
            "torch._utils._rebuild_tensor_v2",
            "torch._utils._rebuild_tensor",
            "torch._utils._rebuild_parameter",
            "torch.FloatStorage",
            "torch.DoubleStorage",
            "torch.HalfStorage",
            "torch.BFloat16Storage",
            "torch.LongStorage",
            "torch.IntStorage",
            "torch.ShortStorage",
            "torch.CharStorage",
            "torch.ByteStorage",
            "torch.BoolStorage");

    private static final Object MARK = new Object();

    private final InputStream in;
    private final String source;
    private final Function<Object, Object> persistentLoad;
    private final long sizeLimit;
    private long position;

    StateDictUnpickler(InputStream in, String source, Function<Object, Object> persistentLoad, long sizeLimit) {
        this.in = in;
        this.source = source;
        this.persistentLoad = persistentLoad;
        this.sizeLimit = sizeLimit;
    }

    /** Reads one pickle up to its STOP opcode and returns the object. */
    Object load() throws IOException {
        List<Object> stack = new ArrayList<>();
        Map<Long, Object> memo = new HashMap<>();
        while (true) {
            int op = u8();
            switch (op) {
                case 0x80 -> u8(); // PROTO
                case 0x95 -> bytes(8); // FRAME: length only, frames are read as a stream
                case '.' -> {
                    if (stack.size() != 1) {
                        throw bad("STOP with " + stack.size() + " objects on the stack");
                    }
                    return stack.get(0);
                }
                case '(' -> stack.add(MARK);
                case '}' -> stack.add(new LinkedHashMap<Object, Object>());
                case ']' -> stack.add(new ArrayList<Object>());
                case ')' -> stack.add(List.of());
                case 't' -> stack.add(java.util.Collections.unmodifiableList(popToMark(stack)));
                case 'l' -> stack.add(new ArrayList<>(popToMark(stack)));
                case 'd' -> {
                    List<Object> items = popToMark(stack);
                    Map<Object, Object> d = new LinkedHashMap<>();
                    for (int i = 0; i + 1 < items.size(); i += 2) {
                        d.put(items.get(i), items.get(i + 1));
                    }
                    stack.add(d);
                }
                case 0x85 -> stack.add(tupleOf(pop(stack)));
                case 0x86 -> {
                    Object b = pop(stack);
                    Object a = pop(stack);
                    stack.add(tupleOf(a, b));
                }
                case 0x87 -> {
                    Object c = pop(stack);
                    Object b = pop(stack);
                    Object a = pop(stack);
                    stack.add(tupleOf(a, b, c));
                }
                case 'a' -> {
                    Object v = pop(stack);
                    asList(peek(stack)).add(v);
                }
                case 'e' -> {
                    List<Object> items = popToMark(stack);
                    asList(peek(stack)).addAll(items);
                }
                case 's' -> {
                    Object v = pop(stack);
                    Object k = pop(stack);
                    asMap(peek(stack)).put(k, v);
                }
                case 'u' -> {
                    List<Object> items = popToMark(stack);
                    Map<Object, Object> d = asMap(peek(stack));
                    if (items.size() % 2 != 0) {
                        throw bad("SETITEMS with an odd number of items");
                    }
                    for (int i = 0; i < items.size(); i += 2) {
                        d.put(items.get(i), items.get(i + 1));
                    }
                }
                case 'J' -> stack.add((long) Integer.reverseBytes(i32()));
                case 'K' -> stack.add((long) u8());
                case 'M' -> stack.add((long) (u8() | (u8() << 8)));
                case 0x8a -> stack.add(longN(u8()));
                case 0x8b -> stack.add(longN(Integer.reverseBytes(i32())));
                case 'I' -> {
                    String line = line();
                    stack.add(
                            switch (line) {
                                case "01" -> Boolean.TRUE;
                                case "00" -> Boolean.FALSE;
                                default -> parseLong(line);
                            });
                }
                case 'L' -> stack.add(parseLong(line().replace("L", "")));
                case 'G' -> stack.add(Double.longBitsToDouble(new BigInteger(1, bytes(8)).longValue()));
                case 'N' -> stack.add(null);
                case 0x88 -> stack.add(Boolean.TRUE);
                case 0x89 -> stack.add(Boolean.FALSE);
                case 'X' -> stack.add(new String(bytes(len32()), StandardCharsets.UTF_8));
                case 0x8c -> stack.add(new String(bytes(u8()), StandardCharsets.UTF_8));
                case 0x8d -> stack.add(new String(bytes(len64()), StandardCharsets.UTF_8));
                case 'T' -> stack.add(new String(bytes(len32()), StandardCharsets.ISO_8859_1));
                case 'U' -> stack.add(new String(bytes(u8()), StandardCharsets.ISO_8859_1));
                case 'B' -> stack.add(bytes(len32()));
                case 'C' -> stack.add(bytes(u8()));
                case 'c' -> stack.add(global(line(), line()));
                case 0x93 -> {
                    Object name = pop(stack);
                    Object module = pop(stack);
                    stack.add(global(String.valueOf(module), String.valueOf(name)));
                }
                case 'R' -> {
                    Object args = pop(stack);
                    Object fn = pop(stack);
                    stack.add(reduce(fn, args));
                }
                case 'b' -> {
                    pop(stack); // BUILD state: only the state dict's _metadata (layer versions) arrives here; not
                    // needed
                    peek(stack);
                }
                case 'Q' -> stack.add(persistentLoad.apply(pop(stack)));
                case 'P' -> stack.add(persistentLoad.apply(line()));
                case 'q' -> memo.put((long) u8(), peek(stack));
                case 'r' -> memo.put(Integer.toUnsignedLong(Integer.reverseBytes(i32())), peek(stack));
                case 0x94 -> memo.put((long) memo.size(), peek(stack));
                case 'p' -> memo.put(parseLong(line()), peek(stack));
                case 'h' -> stack.add(memoGet(memo, u8()));
                case 'j' -> stack.add(memoGet(memo, Integer.toUnsignedLong(Integer.reverseBytes(i32()))));
                case 'g' -> stack.add(memoGet(memo, parseLong(line())));
                case '0' -> pop(stack);
                case '1' -> popToMark(stack);
                case '2' -> stack.add(peek(stack));
                default ->
                    throw bad(String.format(
                            "pickle opcode 0x%02x is outside the state-dict subset this reader accepts", op));
            }
        }
    }

    private Object global(String module, String name) {
        Global g = new Global(module, name);
        if (!ALLOWED_GLOBALS.contains(g.qualified())) {
            throw bad("refusing pickle global '" + g.qualified() + "': a checkpoint may only hold state-dict types"
                    + " (OrderedDict, tensors, storages); loading it could run code");
        }
        return g;
    }

    private Object reduce(Object fn, Object args) {
        if (!(fn instanceof Global g) || !(args instanceof List<?> a)) {
            throw bad("REDUCE of a non-callable " + describe(fn));
        }
        switch (g.qualified()) {
            case "collections.OrderedDict" -> {
                return new LinkedHashMap<Object, Object>();
            }
            case "torch._utils._rebuild_tensor_v2", "torch._utils._rebuild_tensor" -> {
                if (a.size() < 4 || !(a.get(0) instanceof Storage s)) {
                    throw bad(g.qualified() + " with arguments " + describe(a));
                }
                return new TensorRef(s, asLong(a.get(1)), longs(a.get(2)), longs(a.get(3)));
            }
            case "torch._utils._rebuild_parameter" -> {
                return a.get(0);
            }
            default -> throw bad("refusing to call '" + g.qualified() + "'");
        }
    }

    private long[] longs(Object o) {
        if (!(o instanceof List<?> l)) {
            throw bad("expected a tuple of sizes, found " + describe(o));
        }
        long[] out = new long[l.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = asLong(l.get(i));
        }
        return out;
    }

    private long asLong(Object o) {
        if (o instanceof Long l) {
            return l;
        }
        throw bad("expected an integer, found " + describe(o));
    }

    @SuppressWarnings("unchecked")
    private List<Object> asList(Object o) {
        if (o instanceof ArrayList<?>) {
            return (List<Object>) o;
        }
        throw bad("APPEND to " + describe(o));
    }

    @SuppressWarnings("unchecked")
    private Map<Object, Object> asMap(Object o) {
        if (o instanceof Map<?, ?>) {
            return (Map<Object, Object>) o;
        }
        throw bad("SETITEM on " + describe(o));
    }

    private static List<Object> tupleOf(Object... items) {
        return Arrays.asList(items);
    }

    private Object memoGet(Map<Long, Object> memo, long key) {
        if (!memo.containsKey(key)) {
            throw bad("memo key " + key + " was never stored");
        }
        return memo.get(key);
    }

    private Object pop(List<Object> stack) {
        if (stack.isEmpty()) {
            throw bad("stack underflow");
        }
        Object o = stack.remove(stack.size() - 1);
        if (o == MARK) {
            throw bad("unexpected MARK");
        }
        return o;
    }

    private Object peek(List<Object> stack) {
        if (stack.isEmpty() || stack.get(stack.size() - 1) == MARK) {
            throw bad("stack underflow");
        }
        return stack.get(stack.size() - 1);
    }

    private List<Object> popToMark(List<Object> stack) {
        for (int i = stack.size() - 1; i >= 0; i--) {
            if (stack.get(i) == MARK) {
                List<Object> items = new ArrayList<>(stack.subList(i + 1, stack.size()));
                stack.subList(i, stack.size()).clear();
                return items;
            }
        }
        throw bad("no MARK on the stack");
    }

    private Object longN(int n) throws IOException {
        if (n < 0 || n > 64) {
            throw bad("integer of " + n + " bytes");
        }
        byte[] le = bytes(n);
        if (n == 0) {
            return 0L;
        }
        byte[] be = new byte[n];
        for (int i = 0; i < n; i++) {
            be[i] = le[n - 1 - i];
        }
        BigInteger v = new BigInteger(be);
        // Only the legacy format's magic number is this large; it is compared, never used as a size.
        return v.bitLength() > 63 ? v : (Object) v.longValue();
    }

    private long parseLong(String s) {
        try {
            return Long.parseLong(s.trim());
        } catch (NumberFormatException e) {
            throw bad("not an integer: '" + s + "'");
        }
    }

    private int u8() throws IOException {
        int b = in.read();
        if (b < 0) {
            throw new CheckpointFormatException(
                    source + ": truncated (the pickle ends at byte " + position + " without STOP)");
        }
        position++;
        return b;
    }

    private int i32() throws IOException {
        return (u8() << 24) | (u8() << 16) | (u8() << 8) | u8();
    }

    private int len32() throws IOException {
        long n = Integer.toUnsignedLong(Integer.reverseBytes(i32()));
        return checkedLength(n);
    }

    private int len64() throws IOException {
        long n = 0;
        for (int i = 0; i < 8; i++) {
            n |= (long) u8() << (8 * i);
        }
        return checkedLength(n);
    }

    private int checkedLength(long n) {
        if (n < 0 || n > sizeLimit || n > Integer.MAX_VALUE - 8) {
            throw bad("a string of " + n + " bytes in a file of " + sizeLimit);
        }
        return (int) n;
    }

    private byte[] bytes(int n) throws IOException {
        byte[] b = in.readNBytes(n);
        position += b.length;
        if (b.length != n) {
            throw new CheckpointFormatException(
                    source + ": truncated (needed " + n + " bytes at byte " + position + ")");
        }
        return b;
    }

    private String line() throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (int b = u8(); b != '\n'; b = u8()) {
            if (out.size() > 4096) {
                throw bad("a text field longer than 4096 bytes");
            }
            out.write(b);
        }
        return out.toString(StandardCharsets.UTF_8);
    }

    private CheckpointFormatException bad(String what) {
        return new CheckpointFormatException(source + ": " + what + " (at byte " + position + ")");
    }

    private static String describe(Object o) {
        if (o == null) {
            return "None";
        }
        String s = String.valueOf(o);
        return o.getClass().getSimpleName() + " " + (s.length() > 80 ? s.substring(0, 80) + "…" : s);
    }
}
